// Minimal, real execution of a workflow DAG: nodes run one at a time in topological order (Kahn's algorithm, stable by
// declaration order). Node types: `delay` (waits `ms`, abortable), `fail` (throws `message`), anything else (`noop`,
// `log`, ...) completes immediately. The result records the order, each node's output and the input payload.

export class WorkflowError extends Error {
	constructor(message) {
		super(message);
		this.name = 'WorkflowError';
	}
}

export class AbortedError extends Error {
	constructor() {
		super('execution aborted');
		this.name = 'AbortedError';
	}
}

/** @param {unknown} dag @returns {{ nodes: {id: string, type: string, [k: string]: unknown}[], order: string[] }} */
export function planDag(dag) {
	const d = /** @type {any} */ (dag ?? {});
	const nodes = Array.isArray(d.nodes) ? d.nodes : [];
	const edges = Array.isArray(d.edges) ? d.edges : [];
	const byId = new Map();
	for (const [i, n] of nodes.entries()) {
		if (!n || typeof n.id !== 'string' || n.id === '') throw new WorkflowError(`node #${i} has no id`);
		if (byId.has(n.id)) throw new WorkflowError(`duplicate node id "${n.id}"`);
		byId.set(n.id, { ...n, type: typeof n.type === 'string' ? n.type : 'noop' });
	}
	const indegree = new Map([...byId.keys()].map((id) => [id, 0]));
	const next = new Map([...byId.keys()].map((id) => [id, []]));
	for (const e of edges) {
		const from = e?.from ?? e?.source;
		const to = e?.to ?? e?.target;
		if (!byId.has(from) || !byId.has(to)) throw new WorkflowError(`edge ${from} -> ${to} references an unknown node`);
		next.get(from).push(to);
		indegree.set(to, indegree.get(to) + 1);
	}
	const ready = [...byId.keys()].filter((id) => indegree.get(id) === 0);
	const order = [];
	while (ready.length) {
		const id = ready.shift();
		order.push(id);
		for (const to of next.get(id)) {
			indegree.set(to, indegree.get(to) - 1);
			if (indegree.get(to) === 0) ready.push(to);
		}
	}
	if (order.length !== byId.size) throw new WorkflowError('workflow DAG has a cycle');
	return { nodes: [...byId.values()], order };
}

function sleep(ms, signal) {
	return new Promise((resolve, reject) => {
		if (signal?.aborted) return reject(new AbortedError());
		const t = setTimeout(() => {
			signal?.removeEventListener('abort', onAbort);
			resolve();
		}, ms);
		const onAbort = () => {
			clearTimeout(t);
			reject(new AbortedError());
		};
		signal?.addEventListener('abort', onAbort, { once: true });
	});
}

/**
 * @param {{ id: string, payload: unknown, dag: unknown }} run
 * @param {{ signal?: AbortSignal, maxDelayMs?: number, now?: () => number }} [opts]
 */
export async function executeRun(run, opts = {}) {
	const now = opts.now ?? Date.now;
	const started = now();
	const { nodes, order } = planDag(run.dag);
	const byId = new Map(nodes.map((n) => [n.id, n]));
	const outputs = {};
	for (const id of order) {
		if (opts.signal?.aborted) throw new AbortedError();
		const node = byId.get(id);
		const t0 = now();
		switch (node.type) {
			case 'delay': {
				const ms = Math.min(Math.max(Number(node.ms) || 0, 0), opts.maxDelayMs ?? 600_000);
				await sleep(ms, opts.signal);
				outputs[id] = { type: 'delay', waitedMs: ms };
				break;
			}
			case 'fail':
				throw new WorkflowError(`node "${id}" failed: ${node.message ?? 'fail node'}`);
			default:
				outputs[id] = { type: node.type, ok: true };
		}
		outputs[id].durationMs = now() - t0;
	}
	return { order, outputs, input: run.payload ?? null, durationMs: now() - started };
}
