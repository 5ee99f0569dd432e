/** CLI entry: `reward-verifier <command>`. Returns the exit status; never calls process.exit. */
const usage = `usage: reward-verifier <command>

commands:
  serve        run the HTTP service (same as npm start; configured by the environment, see .env.example)
  help         this text
`

export async function main (argv: string[]): Promise<number> {
  const [command] = argv
  switch (command) {
    case 'serve':
      await import('../server.ts')
      return 0
    case undefined: case 'help': case '--help': case '-h':
      process.stdout.write(usage)
      return 0
    default:
      process.stderr.write(`reward-verifier: unknown command '${command}'\n${usage}`)
      return 2
  }
}
