import process from 'node:process'
import { KmsSecretsError } from '@kms-secrets/core/errors'

/**
 * What `exec` lets a sealed file put into its child's environment, and which of our own variables the child never
 * inherits. Anyone with only kms:Encrypt on the key can seal a file, so its key names are untrusted input: a name
 * that changes how a program is found, loaded or started would let that person run code as the operator.
 * README.md ("exec: refused variables") documents this table; a test keeps the two in step.
 */

/** POSIX portable names (IEEE Std 1003.1, 8.1); anything else is refused, not silently skipped. */
export const envNameRE: RegExp = /^[A-Z_a-z]\w*$/

interface DeniedGroup {
  /** Exact names; a trailing `*` matches any name with that prefix. */
  names: readonly string[]
  why: string
  /** The programs that read these names ignore case (npm config, curl/wget proxies). */
  anyCase?: boolean
}

/** The one list of variables a sealed file may not set without `--allow-var NAME`. */
export const deniedEnvVars = [
  { names: ['PATH', 'PATHEXT', 'COMSPEC', 'SHELL'], why: 'chooses which program a command name runs' },
  {
    names: ['LD_*', 'DYLD_*', 'GCONV_PATH', 'GLIBC_TUNABLES', 'HOSTALIASES'],
    why: 'dynamic loader / libc: preloads libraries or changes how every program starts or resolves names',
  },
  {
    names: ['BASH_ENV', 'ENV', 'ZDOTDIR', 'SHELLOPTS', 'BASHOPTS', 'IFS', 'PROMPT_COMMAND', 'PS0', 'PS1', 'PS2', 'PS4'],
    why: 'shell start-up: a file or command a shell runs, or how it splits and traces commands',
  },
  {
    names: [
      'NODE_OPTIONS',
      'NODE_PATH',
      'NODE_EXTRA_CA_CERTS',
      'NODE_TLS_REJECT_UNAUTHORIZED',
      'NODE_REPL_EXTERNAL_MODULE',
      'NODE_REDIRECT_WARNINGS',
      'NODE_COMPILE_CACHE',
      'NODE_ICU_DATA',
    ],
    why: 'Node.js: --require/--import, module lookup, TLS trust, files it writes or loads',
  },
  {
    names: ['npm_config_*', 'YARN_*', 'COREPACK_*', 'BUN_*', 'DENO_*'],
    why: 'JS runtimes and package managers: scripts, registries, caches',
    anyCase: true,
  },
  {
    names: ['PYTHON*', 'PIP_*'],
    why: 'Python: PYTHONPATH, PYTHONSTARTUP, PYTHONHOME, PYTHONUSERBASE, PYTHONWARNINGS (imports modules); pip index',
  },
  {
    names: ['PERL*', 'RUBY*', 'GEM_HOME', 'GEM_PATH', 'BUNDLE_GEMFILE'],
    why: 'Perl (PERL5OPT, PERL5LIB, PERL5DB) and Ruby (RUBYOPT, RUBYLIB) code loading',
  },
  {
    names: [
      'JAVA_TOOL_OPTIONS',
      '_JAVA_OPTIONS',
      'JDK_JAVA_OPTIONS',
      'JAVA_OPTS',
      'JAVA_HOME',
      'CLASSPATH',
      'MAVEN_OPTS',
      'GRADLE_OPTS',
    ],
    why: 'JVM: -javaagent and class path',
  },
  {
    names: ['DOTNET_STARTUP_HOOKS', 'CORECLR_*', 'COR_*', 'GOFLAGS'],
    why: '.NET startup hooks and profilers; go -toolexec',
  },
  {
    names: [
      'GIT_SSH',
      'GIT_SSH_COMMAND',
      'GIT_EXEC_PATH',
      'GIT_ASKPASS',
      'SSH_ASKPASS',
      'GIT_EDITOR',
      'GIT_SEQUENCE_EDITOR',
      'GIT_PAGER',
      'GIT_PROXY_COMMAND',
      'GIT_EXTERNAL_DIFF',
      'GIT_TEMPLATE_DIR',
      'GIT_DIR',
      'GIT_ALLOW_PROTOCOL',
      'GIT_CONFIG*',
    ],
    why: 'git: commands it runs and config it reads (GIT_CONFIG_COUNT/KEY_n/VALUE_n can set core.sshCommand)',
  },
  {
    names: ['EDITOR', 'VISUAL', 'PAGER', 'MANPAGER', 'LESSOPEN', 'LESSCLOSE', 'BROWSER'],
    why: 'commands other programs run for you',
  },
  {
    names: ['HOME', 'XDG_CONFIG_HOME'],
    why: 'where programs read their config (.npmrc, .gitconfig, ~/.tencentcloud/credentials)',
  },
  {
    names: [
      'SSL_CERT_FILE',
      'SSL_CERT_DIR',
      'CURL_CA_BUNDLE',
      'REQUESTS_CA_BUNDLE',
      'SSLKEYLOGFILE',
      'OPENSSL_CONF',
      'OPENSSL_ENGINES',
      'OPENSSL_MODULES',
    ],
    why: 'TLS: which CAs are trusted, where session keys are logged, OpenSSL engines (native code)',
  },
  {
    names: ['HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY', 'NO_PROXY'],
    why: "routes the program's traffic (and the secrets it sends) through another host",
    anyCase: true,
  },
  {
    names: ['TENCENTCLOUD_*', 'TKE_*', 'KMS_SECRETS_*'],
    why: 'KMS credentials, role and endpoint: a sealed file must not choose the identity or KMS the program uses',
  },
] as const satisfies readonly DeniedGroup[]

/**
 * The credentials `exec` removes from its child's environment unless `--keep-credentials`: the Tencent SDK's
 * environment provider, SCF's injected names, and TKE's OIDC role set. A profile file (~/.tencentcloud/credentials) or a
 * CVM role stays reachable by any process of the same user on the same machine; only the environment can be cleared.
 */
export const credentialEnvVars = [
  'TENCENTCLOUD_SECRET_ID',
  'TENCENTCLOUD_SECRET_KEY',
  'TENCENTCLOUD_SESSION_TOKEN',
  'TENCENTCLOUD_SECRETID',
  'TENCENTCLOUD_SECRETKEY',
  'TENCENTCLOUD_SESSIONTOKEN',
  'TKE_ROLE_ARN',
  'TKE_WEB_IDENTITY_TOKEN_FILE',
  'TKE_PROVIDER_ID',
  'TKE_REGION',
] as const

/** Windows environment names ignore case; POSIX ones do not (so `env` or `home` keys stay usable there). */
function sameName(a: string, b: string, anyCase: boolean, platform: string): boolean {
  return anyCase || platform === 'win32' ? a.toUpperCase() === b.toUpperCase() : a === b
}

function matches(pattern: string, name: string, anyCase: boolean, platform: string): boolean {
  if (!pattern.endsWith('*')) return sameName(pattern, name, anyCase, platform)
  const prefix = pattern.slice(0, -1)
  return name.length >= prefix.length && sameName(prefix, name.slice(0, prefix.length), anyCase, platform)
}

/** Why `name` is refused (its group's reason), or undefined when a sealed file may set it. */
export function deniedReason(name: string, platform: string = process.platform): string | undefined {
  const groups: readonly DeniedGroup[] = deniedEnvVars
  for (const g of groups) {
    if (g.names.some((p) => matches(p, name, g.anyCase === true, platform))) return g.why
  }
  return undefined
}

/** The operator's environment for the child: without KMS credentials unless `keepCredentials`. */
export function inheritedEnv(
  env: NodeJS.ProcessEnv,
  keepCredentials: boolean,
  platform: string = process.platform,
): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...env }
  if (keepCredentials) return out
  for (const name of Object.keys(out)) {
    if (credentialEnvVars.some((c) => sameName(c, name, false, platform))) delete out[name]
  }
  return out
}

/** One variable a sealed file (or a `--file NAME=`) wants to set, and where it comes from. */
export interface ChildVar {
  name: string
  source: string
}

/* Precondition: every name set in the child is a valid name, and none is denied unless --allow-var names it. */
export function assertAllowedVars(vars: readonly ChildVar[], allowed: readonly string[]): void {
  const invalid = vars.filter((v) => !envNameRE.test(v.name))
  if (invalid.length > 0) {
    const list = invalid.map((v) => `${JSON.stringify(v.name.slice(0, 64))} (in ${v.source})`).join(', ')
    throw new KmsSecretsError('ERR_CLI_UNSAFE', `Not valid environment variable names: ${list}; nothing was run.`, {
      hint: 'Names must match [A-Za-z_][A-Za-z0-9_]*. Rename the keys, or pass the file with --file NAME=<file>.',
    })
  }
  const denied = vars.filter((v) => !allowed.includes(v.name) && deniedReason(v.name) !== undefined)
  if (denied.length === 0) return
  const list = denied.map((v) => `${v.name} (in ${v.source}: ${deniedReason(v.name)})`).join('; ')
  throw new KmsSecretsError(
    'ERR_CLI_UNSAFE',
    `Refusing to set variables that change how programs load or run: ${list}. Nothing was run.`,
    {
      hint: `If that is intended, pass ${[...new Set(denied.map((v) => `--allow-var ${v.name}`))].join(' ')} (see "exec: refused variables" in the CLI README).`,
    },
  )
}
