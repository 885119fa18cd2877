// Kept to syntax and APIs every Node.js since 12 has: it runs before anything that may not.
const minimum = { major: 22, minor: 22 };

/** One line and exit 1 on a Node.js older than the API's dependencies need. */
export function exitUnlessSupportedNode(): void {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  if (major > minimum.major || (major === minimum.major && minor >= minimum.minor)) return;
  console.error(
    `authbench api: needs Node.js 24 LTS (or ${minimum.major}.${minimum.minor}+), and this is Node.js ${process.version}. ` +
      'Start it through pnpm (`pnpm start:api`), which runs the Node.js 24 the project installs, or install Node.js 24.',
  );
  process.exit(1);
}
