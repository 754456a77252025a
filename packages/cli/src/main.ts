import process from 'node:process'
import { type CAC, cac } from 'cac'
import { decryptCommand } from './commands/decrypt.js'
import { editCommand } from './commands/edit.js'
import { encryptCommand } from './commands/encrypt.js'
import { execCommand } from './commands/exec.js'
import { initCommand } from './commands/init.js'
import { type KeyAction, keyActions, keysCommand } from './commands/keys.js'
import { localKmsCommand } from './commands/local-kms.js'
import { rekeyCommand } from './commands/rekey.js'
import { rotateCommand } from './commands/rotate.js'
import { rotateProjectCommand } from './commands/rotate-project.js'
import { scanCommand } from './commands/scan.js'
import { typesCommand } from './commands/types.js'
import { wrapCommand } from './commands/wrap.js'
import { parseContext, protectArgv, toOptionalString as str, toList } from './util/argv.js'
import { type CliIo, withIo } from './util/io.js'
import { reportError } from './util/report.js'
import { packageVersion, runCommand } from './util/run.js'

type Flags = Record<string, unknown>

/** --endpoint / --region (global flags; env KMS_SECRETS_ENDPOINT / TENCENTCLOUD_REGION otherwise). */
function kmsFlags(o: Flags) {
  return { endpoint: str(o.endpoint, '--endpoint'), region: str(o.region, '--region') }
}

function globalOptions(cli: CAC): CAC {
  return cli
    .option('--endpoint <url>', 'KMS endpoint URL, e.g. http://127.0.0.1:4599 for local-kms (env KMS_SECRETS_ENDPOINT)')
    .option(
      '--region <region>',
      "Tencent Cloud region (env TENCENTCLOUD_REGION; default: the envelope's, else ap-guangzhou)",
    )
    .option('--debug', 'Print stack traces of errors')
    .help()
    .version(packageVersion())
}

function defineInit(cli: CAC): void {
  cli
    .command('init', 'Create the project key: writes ./kms-secrets.json (public key + private key wrapped by the CMK)')
    .option('--key-id <KeyId>', 'CMK that wraps the private key: ENCRYPT_DECRYPT, ASYMMETRIC_DECRYPT_RSA_2048 or _SM2')
    .option('--context <key=value>', 'Encryption context pair of every value sealed with it, repeatable', { type: [] })
    .option('--force', 'Overwrite an existing kms-secrets.json (files sealed with the old key will not open)')
    .option('--json', 'Print what was written as JSON on stdout')
    .example('  $ kms-secrets init --key-id $KEY_ID --context app=api   # then: kms-secrets encrypt db.secret.json -i')
    .action((o: Flags) =>
      initCommand({
        ...kmsFlags(o),
        keyId: str(o.keyId, '--key-id'),
        context: parseContext(toList(o.context)),
        force: Boolean(o.force),
        json: Boolean(o.json),
      }),
    )
  cli
    .command('rekey <...paths>', 'Move files sealed with a data key onto the project key in reach (in memory)')
    .option('--json', 'Print the result as JSON on stdout')
    .action((paths: string[], o: Flags) => rekeyCommand({ ...kmsFlags(o), paths, json: Boolean(o.json) }))
}

function defineEncrypt(cli: CAC): void {
  cli
    .command(
      'encrypt <...files>',
      'Seal plaintext secret files: offline with the kms-secrets.json in reach, else one data key per call',
    )
    .option('--key-id <KeyId>', 'CMK that wraps a data key (needed without a kms-secrets.json in reach)')
    .option('--context <key=value>', 'Encryption context pair, repeatable (stored in clear, bound to the ciphertext)', {
      type: [],
    })
    .option('-i, --in-place', 'Replace each file with its envelope')
    .option('-o, --output <file>', 'Write the envelope to <file> instead of stdout')
    .option('--id <id>', "Logical id the value is bound to (default: the output file's base name)")
    .option('--format <format>', 'json|yaml|env|text (default: from the file extension)')
    .option('--json', 'With -i/-o: print what was sealed as JSON on stdout')
    .example('  $ kms-secrets encrypt db.secret.json api.secret.env -i   # with kms-secrets.json: no credentials')
    .example('  $ kms-secrets encrypt db.secret.json api.secret.env --key-id $KEY_ID --context app=api -i')
    .action((files: string[], o: Flags) =>
      encryptCommand({
        ...kmsFlags(o),
        files,
        keyId: str(o.keyId, '--key-id'),
        context: parseContext(toList(o.context)),
        inPlace: Boolean(o.inPlace),
        output: str(o.output, '--output'),
        id: str(o.id, '--id'),
        format: str(o.format, '--format'),
        json: Boolean(o.json),
      }),
    )
}

function defineOpening(cli: CAC): void {
  cli
    .command('decrypt <file>', 'Decrypt a sealed file to stdout, in its own format')
    .option('--extract <path>', 'Print only the value at a JSON path: $.db.password, $.hosts[0] or ["db"]["password"]')
    .option(
      '-o, --output <file>',
      'Write the PLAINTEXT to a new 0600 <file> instead of stdout (never through a link, never over the input)',
    )
    .action((file: string, o: Flags) =>
      decryptCommand({ ...kmsFlags(o), file, extract: str(o.extract, '--extract'), output: str(o.output, '--output') }),
    )
  cli
    .command('edit <file>', 'Decrypt into a private RAM-backed temp file, run $VISUAL/$EDITOR, re-seal if changed')
    .option('--allow-disk', 'Use the OS temp dir when /dev/shm is missing (plaintext may reach the disk)')
    .option('--key-id <KeyId>', 'CMK to re-seal with when the envelope does not record one (wrapped blobs)')
    .option('--resume <path>', 'Re-open an edit that was kept because it could not be re-sealed (path printed then)')
    .action((file: string, o: Flags) =>
      editCommand({
        ...kmsFlags(o),
        file,
        allowDisk: Boolean(o.allowDisk),
        keyId: str(o.keyId, '--key-id'),
        resume: str(o.resume, '--resume'),
      }),
    )
}

function defineRewrapping(cli: CAC): void {
  cli
    .command('rotate [...files]', 'Re-wrap the data key with KMS ReEncrypt (current key version, or another CMK)')
    .option('--key-id <KeyId>', 'Destination CMK (default: the same CMK, its current version)')
    .option(
      '--project-key',
      'Rotate the project key: a new pair, every file of the project re-sealed (one unwrap); with --key-id: re-wrap it',
    )
    .option('--json', 'Print the result as JSON on stdout')
    .action((files: string[], o: Flags) =>
      o.projectKey
        ? rotateProjectCommand({ ...kmsFlags(o), paths: files, keyId: str(o.keyId, '--key-id'), json: Boolean(o.json) })
        : rotateCommand({ ...kmsFlags(o), files, keyId: str(o.keyId, '--key-id'), json: Boolean(o.json) }),
    )
  cli
    .command('wrap', 'Turn a bare KMS CiphertextBlob (from Encrypt) into an envelope; no KMS call')
    .option('--blob <blob>', 'The CiphertextBlob, or - to read it from stdin')
    .option('--format <format>', 'Format of the encrypted value: json|yaml|env|text')
    .option('--key-id <KeyId>', 'The CMK that encrypted it (informational)')
    .option('--id <id>', "Logical id, e.g. db.secret.json (default: the output file's base name)")
    .option('--context <key=value>', 'The EncryptionContext pairs used at Encrypt, repeatable', { type: [] })
    .option('-o, --output <file>', 'Write the envelope to <file> instead of stdout')
    .action((o: Flags) =>
      wrapCommand({
        blob: str(o.blob, '--blob'),
        format: str(o.format, '--format'),
        keyId: str(o.keyId, '--key-id'),
        region: str(o.region, '--region'),
        id: str(o.id, '--id'),
        context: parseContext(toList(o.context)),
        output: str(o.output, '--output'),
      }),
    )
}

function defineUsing(cli: CAC): void {
  cli
    .command('exec [...command]', 'Run a program with decrypted values as env vars and/or in-memory files')
    .option('--env <file>', 'Sealed object file whose top-level keys become env vars (nested → JSON), repeatable', {
      type: [],
    })
    .option('--file <NAME=file>', 'Serve the decrypted file through a FIFO; $NAME holds its path, repeatable', {
      type: [],
    })
    .option(
      '--allow-var <NAME>',
      'Let a sealed file set NAME although it changes how programs load or run (PATH, NODE_OPTIONS, LD_*…), repeatable',
      { type: [] },
    )
    .option('--keep-credentials', 'Pass your TENCENTCLOUD_*/TKE_* credentials on to the program (removed by default)')
    .example('  $ kms-secrets exec --env db.secret.json --file TLS_KEY=tls.secret.pem -- python app.py')
    .action((command: string[], o: Flags) =>
      execCommand({
        ...kmsFlags(o),
        envFiles: toList(o.env),
        files: toList(o.file),
        command: [...command, ...toList(o['--'])],
        allowVars: toList(o.allowVar),
        keepCredentials: Boolean(o.keepCredentials),
      }),
    )
  cli
    .command('scan <...dirs>', 'Search build output for plaintext leaks of secret files (exit 1 on a hit)')
    .option('--secrets <file>', 'Secret file to look for (sealed or plaintext), repeatable', { type: [] })
    .option('--json', 'Print the hits as JSON on stdout')
    .action((dirs: string[], o: Flags) =>
      scanCommand({ ...kmsFlags(o), dirs, secrets: toList(o.secrets), json: Boolean(o.json) }),
    )
  cli
    .command('types [...paths]', "Write <name>.d.<ext>.ts declarations typing each secret file's import (keys only)")
    .option('--check', 'Write nothing; exit 1 if a declaration is missing or stale (for CI)')
    .option('--json', 'Print the files as JSON on stdout')
    .action((paths: string[], o: Flags) => typesCommand({ paths, check: Boolean(o.check), json: Boolean(o.json) }))
  cli.command('keys', `Manage KMS keys: ${keyActions.join(', ')} (kms-secrets keys --help)`)
  cli.command('local-kms', 'Run a local Tencent-compatible KMS (same flags as the local-kms bin; local-kms --help)')
}

function createKeysCli(): CAC {
  const cli = globalOptions(cac('kms-secrets keys'))
  const run = (action: KeyAction) => (keyId: string | undefined, o: Flags) =>
    keysCommand({
      ...kmsFlags(o),
      action,
      keyId: typeof keyId === 'string' ? keyId : undefined,
      alias: str(o.alias, '--alias'),
      description: str(o.description, '--description'),
      rotateDays: o.rotateDays === undefined ? undefined : Number(str(o.rotateDays, '--rotate-days')),
      json: Boolean(o.json),
    })
  cli
    .command('create', 'Create a symmetric CMK; prints its KeyId')
    .option('--alias <alias>', 'Alias (required)')
    .option('--description <text>', 'Description')
    .option('--json', 'Print the key metadata as JSON')
    .action((o: Flags) => run('create')(undefined, o))
  cli
    .command('list', 'List KeyIds')
    .option('--json', 'Print JSON')
    .action((o: Flags) => run('list')(undefined, o))
  cli.command('describe <KeyId>', "Show a key's metadata").option('--json', 'Print JSON').action(run('describe'))
  cli
    .command('disable <KeyId>', 'Disable a key (its ciphertext cannot be decrypted)')
    .option('--json', 'Print JSON')
    .action(run('disable'))
  cli.command('enable <KeyId>', 'Enable a key').option('--json', 'Print JSON').action(run('enable'))
  cli
    .command('rotate-on <KeyId>', 'Turn on automatic key rotation')
    .option('--rotate-days <days>', 'Rotation period, 7-365 (KMS default 365)')
    .option('--json', 'Print JSON')
    .action(run('rotate-on'))
  cli
    .command('rotate-now <KeyId>', 'Rotate the key material now (then run `kms-secrets rotate` on sealed files)')
    .option('--json', 'Print JSON')
    .action(run('rotate-now'))
  return cli
}

function dispatch(args: string[]): Promise<number> {
  const argv = ['node', 'kms-secrets', ...args]
  if (args[0] === 'local-kms') {
    return Promise.resolve(args.slice(1))
      .then(localKmsCommand)
      .catch((e: unknown) => reportError(e, false))
  }
  if (args[0] === 'keys') return runCommand(createKeysCli(), protectArgv([...argv.slice(0, 2), ...args.slice(1)]))
  const cli = globalOptions(cac('kms-secrets'))
  for (const define of [defineInit, defineEncrypt, defineOpening, defineRewrapping, defineUsing]) define(cli)
  return runCommand(cli, protectArgv(argv))
}

export interface RunCliOptions extends Partial<CliIo> {
  /** Working directory of the run (relative paths, project-key lookup); default: the process's. */
  cwd?: string
}

let queue: Promise<unknown> = Promise.resolve()

/**
 * Runs `kms-secrets <args>` and resolves with its exit code; the bin is `process.exitCode = await runCli(argv)`.
 * Given `env`/`stdin`/`stdout`/`stderr`, the run reads and writes those and never the process's (an in-process run,
 * e.g. in tests); it sets no process.exitCode. Runs in one process take turns: a `cwd` is entered for the run
 * (process.chdir) and left when it ends, so relative paths mean the same as in a child started there.
 */
export function runCli(args: readonly string[], options: RunCliOptions = {}): Promise<number> {
  const { cwd, ...given } = options
  const run = () =>
    withIo(given, async () => {
      const before = process.cwd()
      if (cwd !== undefined) process.chdir(cwd)
      try {
        return await dispatch([...args])
      } finally {
        if (cwd !== undefined) process.chdir(before)
      }
    })
  const result = queue.then(run, run)
  queue = result.catch(() => undefined)
  return result
}
