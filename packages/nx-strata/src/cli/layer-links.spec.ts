import { normalizePluginOptions } from '../config/plugin-options';
import { readImageFamily } from '../model/image-family';
import { createTempWorkspace, removeTempWorkspace } from '../test-utils/temp-workspace';
import { layerLinks } from './layer-links';

describe('layerLinks', () => {
  let root: string;
  afterEach(() => removeTempWorkspace(root));

  it('names what each layer waits for and why, and reads the graph only when a layer reads outside its project', async () => {
    root = createTempWorkspace({
      'nx.json': '{}',
      'images/api/strata.json': JSON.stringify({
        image: 'acme/api',
        context: '../..',
        layers: { base: { dockerfile: 'Dockerfile.base' }, app: { dockerfile: 'Dockerfile', parent: 'base', uses: ['docs:build'] } },
      }),
      'images/api/Dockerfile.base': 'FROM busybox\n',
      'images/api/Dockerfile': 'ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nCOPY dist/apps/api /app\n',
      'vision/strata.json': JSON.stringify({ image: 'acme/vision', layers: { app: { dockerfile: 'Dockerfile' } } }),
      'vision/Dockerfile': 'FROM busybox\nCOPY src /src\n',
      'vision/src/main.py': 'print(1)\n',
    });
    const options = normalizePluginOptions({});
    const api = readImageFamily('images/api/strata.json', root, options);
    let graphReads = 0;
    const graph = async () => {
      graphReads++;
      return { api: { root: 'apps/api', targets: { build: { outputs: ['{workspaceRoot}/dist/{projectRoot}'] } } } };
    };
    const { links, producerOf } = await layerLinks([api], root, graph);
    const [base, app] = api.tasks;
    expect(links.get(base)).toEqual([]);
    expect(links.get(app)).toEqual([
      { task: 'api-image:docker-build--base--linux-amd64', reason: 'parent layer' },
      { task: 'api:build', reason: 'reads dist/apps/api ← api:build outputs' },
      { task: 'docs:build', reason: 'uses (strata.json)' },
    ]);
    expect(producerOf('dist/apps/api/main.js')).toBe('api:build');
    expect(producerOf('src/main.ts')).toBeUndefined();
    expect(graphReads).toBe(1);

    // A family that reads only its own directory never needs the graph.
    await layerLinks([readImageFamily('vision/strata.json', root, options)], root, graph);
    expect(graphReads).toBe(1);
  });
});
