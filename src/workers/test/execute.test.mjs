import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AbortedError, executeRun, planDag, WorkflowError } from '../lib/execute.mjs';

describe('planDag', () => {
	it('orders nodes topologically, stable by declaration order', () => {
		const { order } = planDag({
			nodes: [{ id: 'c' }, { id: 'a' }, { id: 'b' }, { id: 'd' }],
			edges: [
				{ from: 'a', to: 'b' },
				{ from: 'b', to: 'c' },
				{ source: 'a', target: 'd' }
			]
		});
		assert.deepEqual(order, ['a', 'b', 'd', 'c']);
	});

	it('accepts an empty or missing DAG', () => {
		assert.deepEqual(planDag({}).order, []);
		assert.deepEqual(planDag(null).order, []);
	});

	it('rejects cycles, unknown edge ends and duplicate ids', () => {
		assert.throws(() => planDag({ nodes: [{ id: 'a' }, { id: 'b' }], edges: [{ from: 'a', to: 'b' }, { from: 'b', to: 'a' }] }), /cycle/);
		assert.throws(() => planDag({ nodes: [{ id: 'a' }], edges: [{ from: 'a', to: 'zz' }] }), WorkflowError);
		assert.throws(() => planDag({ nodes: [{ id: 'a' }, { id: 'a' }] }), /duplicate/);
		assert.throws(() => planDag({ nodes: [{ type: 'noop' }] }), /no id/);
	});
});

describe('executeRun', () => {
	it('executes every node and records order, outputs and input', async () => {
		const out = await executeRun({
			id: 'r1',
			payload: { hello: 'world' },
			dag: { nodes: [{ id: 'start', type: 'noop' }, { id: 'wait', type: 'delay', ms: 20 }], edges: [{ from: 'start', to: 'wait' }] }
		});
		assert.deepEqual(out.order, ['start', 'wait']);
		assert.equal(out.outputs.start.ok, true);
		assert.equal(out.outputs.wait.waitedMs, 20);
		assert.ok(out.outputs.wait.durationMs >= 15);
		assert.deepEqual(out.input, { hello: 'world' });
	});

	it('caps delays at maxDelayMs', async () => {
		const t0 = Date.now();
		const out = await executeRun({ id: 'r', payload: {}, dag: { nodes: [{ id: 'w', type: 'delay', ms: 60_000 }] } }, { maxDelayMs: 10 });
		assert.equal(out.outputs.w.waitedMs, 10);
		assert.ok(Date.now() - t0 < 1000);
	});

	it('fails on a fail node', async () => {
		await assert.rejects(
			executeRun({ id: 'r', payload: {}, dag: { nodes: [{ id: 'x', type: 'fail', message: 'boom' }] } }),
			/node "x" failed: boom/
		);
	});

	it('aborts a delay when the signal fires', async () => {
		const controller = new AbortController();
		const p = executeRun({ id: 'r', payload: {}, dag: { nodes: [{ id: 'w', type: 'delay', ms: 10_000 }] } }, { signal: controller.signal });
		setTimeout(() => controller.abort(), 20);
		const t0 = Date.now();
		await assert.rejects(p, AbortedError);
		assert.ok(Date.now() - t0 < 1000);
	});
});
