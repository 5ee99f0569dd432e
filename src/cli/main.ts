/** CLI entry: `reward-verifier <command>`. Returns the exit status; never calls process.exit. */
const usage = `usage: reward-verifier <command>

commands:
  serve        run the HTTP service (same as npm start; configured by the environment, see .env.example)
  score        score a JSONL file of groups (reward-verifier score --help)
  eval         pass@k, maj@k and more from scored JSONL, with an HTML report (reward-verifier eval --help)
  keys         mint API keys into API_KEYS_FILE (reward-verifier keys add --name NAME --scope S...)
  help         this text
`

export async function main (argv: string[]): Promise<number> {
  const [command] = argv
  switch (command) {
    case 'serve':
      await import('../server.ts')
      return 0
    case 'score':
      return await (await import('./score.ts')).scoreCommand(argv.slice(1))
    case 'eval':
      return await (await import('./eval.ts')).evalCommand(argv.slice(1))
    case 'keys':
      return await (await import('./keys.ts')).keysCommand(argv.slice(1))
    case undefined: case 'help': case '--help': case '-h':
      process.stdout.write(usage)
      return 0
    default:
      process.stderr.write(`reward-verifier: unknown command '${command}'\n${usage}`)
      return 2
  }
}
