import type { TaskGraph } from 'nx/src/devkit-exports';
import { batchConcurrency, runBatch, type BatchTaskResult } from './batch';

/** Three chains base → ml → app, as the vision example's layer tasks. */
function chains(names: string[]): Pick<TaskGraph, 'tasks' | 'dependencies'> {
  const tasks: Record<string, never> = {};
  const dependencies: TaskGraph['dependencies'] = {};
  for (const name of names) {
    ['base', 'ml', 'app'].forEach((layer, index, layers) => {
      const id = `${name}-${layer}`;
      tasks[id] = { id } as never;
      dependencies[id] = index === 0 ? [{ id: 'api:build' }] : [{ id: `${name}-${layers[index - 1]}` }];
    });
  }
  return { tasks, dependencies };
}

async function collect(results: AsyncGenerator<BatchTaskResult>): Promise<BatchTaskResult[]> {
  const all: BatchTaskResult[] = [];
  for await (const result of results) all.push(result);
  return all;
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('runBatch', () => {
  it('runs independent chains side by side, each child after its parent, and reports each task with its own output', async () => {
    const started: string[] = [];
    let running = 0;
    let mostAtOnce = 0;
    const results = await collect(
      runBatch(chains(['cpu', 'arm', 'cuda']), 3, async (taskId, log) => {
        started.push(taskId);
        mostAtOnce = Math.max(mostAtOnce, ++running);
        log.info(`output of ${taskId}`);
        await tick();
        running--;
        return { success: true };
      }),
    );
    expect(mostAtOnce).toBe(3);
    expect(started.slice(0, 3).sort()).toEqual(['arm-base', 'cpu-base', 'cuda-base']);
    for (const chain of ['cpu', 'arm', 'cuda']) expect(started.indexOf(`${chain}-base`)).toBeLessThan(started.indexOf(`${chain}-ml`));
    expect(results).toHaveLength(9);
    for (const { task, result } of results) {
      expect(result).toMatchObject({ success: true, status: 'success', terminalOutput: `output of ${task}\n` });
      expect(result.endTime).toBeGreaterThanOrEqual(result.startTime);
    }
  });

  it('keeps to the concurrency limit', async () => {
    let running = 0;
    let mostAtOnce = 0;
    await collect(
      runBatch(chains(['a', 'b', 'c', 'd']), 2, async () => {
        mostAtOnce = Math.max(mostAtOnce, ++running);
        await tick();
        running--;
        return { success: true };
      }),
    );
    expect(mostAtOnce).toBe(2);
  });

  it('a failed layer skips its children (never run, said why); other chains go on', async () => {
    const ran: string[] = [];
    const results = await collect(
      runBatch(chains(['cpu', 'arm']), 3, async (taskId, log) => {
        ran.push(taskId);
        if (taskId === 'arm-base') {
          log.error('nx-strata: docker buildx build failed');
          return { success: false };
        }
        return { success: true };
      }),
    );
    expect(ran.sort()).toEqual(['arm-base', 'cpu-app', 'cpu-base', 'cpu-ml']);
    const byTask = Object.fromEntries(results.map(({ task, result }) => [task, result]));
    expect(byTask['arm-base']).toMatchObject({
      success: false,
      status: 'failure',
      terminalOutput: 'nx-strata: docker buildx build failed\n',
    });
    expect(byTask['arm-ml']).toMatchObject({ success: false, status: 'skipped' });
    expect(byTask['arm-ml'].terminalOutput).toContain('arm-base did not succeed');
    expect(byTask['arm-app']).toMatchObject({ success: false, status: 'skipped' });
    expect(byTask['cpu-app'].status).toBe('success');
  });

  it('a task that throws is a failure with its error in its own output, not a crash of the batch', async () => {
    const results = await collect(
      runBatch(chains(['cpu']), 3, async (taskId) => {
        if (taskId === 'cpu-ml') throw new Error('engine vanished');
        return { success: true };
      }),
    );
    const ml = results.find(({ task }) => task === 'cpu-ml')!.result;
    expect(ml.status).toBe('failure');
    expect(ml.terminalOutput).toContain('engine vanished');
    expect(results.find(({ task }) => task === 'cpu-app')!.result.status).toBe('skipped');
  });
});

describe('batchConcurrency', () => {
  it('takes NX_PARALLEL, then nx.json parallel, then 3', () => {
    expect(batchConcurrency({ NX_PARALLEL: '5' }, 2)).toBe(5);
    expect(batchConcurrency({}, 2)).toBe(2);
    expect(batchConcurrency({}, undefined)).toBe(3);
    expect(batchConcurrency({ NX_PARALLEL: 'lots' }, undefined)).toBe(3);
    expect(batchConcurrency({}, 0)).toBe(1);
  });
});
