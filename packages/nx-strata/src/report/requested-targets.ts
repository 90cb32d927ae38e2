/**
 * The target names an Nx command line asks for: `nx run web:docker-publish`, `nx run-many -t docker-test,docker-publish`,
 * `nx affected --targets=docker-publish`, `nx docker-publish web`. `argv` is the process's (`node nx run ...`).
 */
export function requestedTargets(argv: readonly string[]): string[] {
  const args = argv.slice(2);
  const targets: string[] = [];
  const list = (value: string | undefined) => targets.push(...(value ?? '').split(',').filter(Boolean));
  args.forEach((arg, index) => {
    const inline = /^(?:-t|--targets?)=(.*)$/.exec(arg);
    if (inline) list(inline[1]);
    else if (arg === '-t' || arg === '--targets' || arg === '--target') list(args[index + 1]);
  });
  const [command, first] = args;
  if (command === 'run' && first && !first.startsWith('-')) {
    const [, target] = first.split(':');
    if (target) targets.push(target);
  } else if (command && !command.startsWith('-') && !['run-many', 'affected', 'run', 'exec'].includes(command)) {
    // `nx <target> <project>`: the infix form.
    targets.push(command);
  }
  return [...new Set(targets)];
}
