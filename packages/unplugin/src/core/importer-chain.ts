/**
 * The most importers an error message lists. A chain this long already shows how a secret reached a browser bundle
 * (the last lines are the entries); past it the message would only grow, and a walk of a deep or cyclic graph must
 * end somewhere.
 */
const maxImporterChain = 20

/** How one bundler's module graph answers "who imports this module": each adapter gives its graph this shape. */
export interface ImporterGraph<Node> {
  /** Direct importers of a module, in the bundler's order (the first one is followed). */
  importersOf(node: Node): Iterable<Node>
  /** The module's file as the message shows it (project-relative), or undefined to end the chain there. */
  nameOf(node: Node): string | undefined
  /** An entry ends the chain: nothing the user wrote imports it. */
  isEntry?(node: Node): boolean
}

/** Importers of a module up to an entry, nearest first: the first unseen importer at each step; cycles end the walk. */
export function importerChain<Node>(graph: ImporterGraph<Node>, start: Node): string[] {
  const chain: string[] = []
  const seen = new Set<Node>([start])
  let current = start
  while (chain.length < maxImporterChain && !graph.isEntry?.(current)) {
    let next: Node | undefined
    for (const importer of graph.importersOf(current)) {
      if (!seen.has(importer)) {
        next = importer
        break
      }
    }
    const name = next === undefined ? undefined : graph.nameOf(next)
    if (next === undefined || name === undefined) break
    chain.push(name)
    seen.add(next)
    current = next
  }
  return chain
}
