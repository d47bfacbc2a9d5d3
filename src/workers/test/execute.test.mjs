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
	it('executes every node and records order, outputs and input', async (t) => {
		// the test owns the timers and the clock: the delay node's 20 ms pass when the test says so
		t.mock.timers.enable({ apis: ['setTimeout'] });
		let clock = 1000;
		const p = executeRun(
			{
				id: 'r1',
				payload: { hello: 'world' },
				dag: { nodes: [{ id: 'start', type: 'noop' }, { id: 'wait', type: 'delay', ms: 20 }], edges: [{ from: 'start', to: 'wait' }] }
			},
			{ now: () => clock }
		);
		clock += 20;
		t.mock.timers.tick(20);
		const out = await p;
		assert.deepEqual(out.order, ['start', 'wait']);
		assert.equal(out.outputs.start.ok, true);
		assert.equal(out.outputs.wait.waitedMs, 20);
		assert.equal(out.outputs.wait.durationMs, 20);
		assert.equal(out.durationMs, 20);
		assert.deepEqual(out.input, { hello: 'world' });
	});

	it('really waits for a delay node (real timers)', async (t) => {
		t.mock.timers.enable({ apis: ['setTimeout'] });
		let done = false;
		const p = executeRun({ id: 'r', payload: {}, dag: { nodes: [{ id: 'w', type: 'delay', ms: 20 }] } }).then((r) => ((done = true), r));
		t.mock.timers.tick(19);
		await settle();
		assert.equal(done, false, 'still waiting 1 ms before the delay ends');
		t.mock.timers.tick(1);
		assert.equal((await p).outputs.w.waitedMs, 20);
	});

	it('caps delays at maxDelayMs', async (t) => {
		t.mock.timers.enable({ apis: ['setTimeout'] });
		let done = false;
		const p = executeRun({ id: 'r', payload: {}, dag: { nodes: [{ id: 'w', type: 'delay', ms: 60_000 }] } }, { maxDelayMs: 10 }).then(
			(r) => ((done = true), r)
		);
		t.mock.timers.tick(10);
		await settle();
		assert.equal(done, true, 'finished after maxDelayMs, not after the 60 s the node asked for');
		assert.equal((await p).outputs.w.waitedMs, 10);
	});

	it('fails on a fail node', async () => {
		await assert.rejects(
			executeRun({ id: 'r', payload: {}, dag: { nodes: [{ id: 'x', type: 'fail', message: 'boom' }] } }),
			/node "x" failed: boom/
		);
	});

	it('aborts a delay when the signal fires', async (t) => {
		// No timer ever fires here, so only the abort can end the 10 s delay.
		t.mock.timers.enable({ apis: ['setTimeout'] });
		const controller = new AbortController();
		const p = executeRun({ id: 'r', payload: {}, dag: { nodes: [{ id: 'w', type: 'delay', ms: 10_000 }] } }, { signal: controller.signal });
		let outcome = 'pending';
		p.then(
			() => (outcome = 'finished'),
			(e) => (outcome = e)
		);
		await settle();
		assert.equal(outcome, 'pending', 'the delay is running');
		controller.abort();
		await settle();
		assert.ok(outcome instanceof AbortedError, `expected AbortedError, got ${outcome}`);
	});

	it('an already aborted signal stops before the first node', async () => {
		const controller = new AbortController();
		controller.abort();
		await assert.rejects(executeRun({ id: 'r', payload: {}, dag: { nodes: [{ id: 'w', type: 'delay', ms: 10_000 }] } }, { signal: controller.signal }), AbortedError);
	});
});

/** Lets every queued promise reaction run (setImmediate is not mocked: only setTimeout is). */
const settle = () => new Promise((resolve) => setImmediate(resolve));
