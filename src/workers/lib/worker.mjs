// The worker: heartbeats, claims queued runs one at a time, executes them, serves /health, shuts down gracefully.
import { AbortedError, executeRun } from './execute.mjs';
import { startHealthServer } from './health-server.mjs';
import {
	claimNextRun,
	completeRun,
	deleteHeartbeat,
	failRun,
	pruneHeartbeats,
	requeueRun,
	upsertHeartbeat
} from './runs.mjs';

const errMsg = (e) => (e instanceof Error ? e.message : String(e));

export class Worker {
	/**
	 * @param {{ pool: import('pg').Pool, config: ReturnType<typeof import('./config.mjs').loadConfig>, log: ReturnType<typeof import('./log.mjs').createLogger>, execute?: typeof executeRun }} deps
	 *   `execute` runs one claimed run (default: {@link executeRun}); tests pass one that finishes when they say so.
	 */
	constructor({ pool, config, log, execute = executeRun }) {
		this.pool = pool;
		this.execute = execute;
		this.config = config;
		this.log = log;
		this.stopping = false;
		this.stopped = false;
		this.startedAt = Date.now();
		this.lastBeatOkAt = 0;
		this.lastBeatError = null;
		this.inFlight = null; // { run, controller, started }
		this.stats = { claimed: 0, succeeded: 0, failed: 0, requeued: 0 };
		this.health = null;
		this._heartbeatTimer = null;
		this._wake = null;
		this._loop = null;
		this._stopPromise = null;
		this._startPromise = null;
		this._beating = null;
	}

	/** Starts heartbeats, the health server and the claim loop. Resolves once the health server listens. */
	start() {
		this._startPromise ??= this._start();
		return this._startPromise;
	}

	async _start() {
		const { config } = this;
		this.log.info('worker starting', {
			workerId: config.workerId,
			release: config.release,
			environment: config.environment,
			pollIntervalMs: config.pollIntervalMs,
			heartbeatIntervalMs: config.heartbeatIntervalMs,
			shutdownTimeoutSeconds: config.shutdownTimeoutSeconds
		});
		if (config.healthPort >= 0) {
			this.health = await startHealthServer({
				host: config.healthHost,
				port: config.healthPort,
				snapshot: () => this.healthSnapshot()
			});
			this.log.info('health server listening', { url: `http://${config.healthHost}:${this.health.port}/health` });
		}
		if (this.stopping) return this;
		await this.beat();
		pruneHeartbeats(this.pool).catch(() => {});
		this._scheduleBeat();
		if (!this.stopping) this._loop = this._runLoop();
		return this;
	}

	get healthPort() {
		return this.health?.port ?? null;
	}

	healthSnapshot() {
		const now = Date.now();
		const staleAfterMs = Math.max(3 * this.config.heartbeatIntervalMs, 1000);
		const beatFresh = this.lastBeatOkAt > 0 && now - this.lastBeatOkAt <= staleAfterMs;
		const ok = beatFresh && !this.stopping;
		return {
			status: ok ? 'ok' : 'down',
			version: this.config.release,
			details: {
				workerId: this.config.workerId,
				database: beatFresh ? 'ok' : 'down',
				lastHeartbeatAt: this.lastBeatOkAt ? new Date(this.lastBeatOkAt).toISOString() : null,
				lastHeartbeatError: this.lastBeatError,
				shuttingDown: this.stopping,
				inFlightRunId: this.inFlight?.run.id ?? null,
				runs: { ...this.stats },
				uptimeSeconds: Math.round((now - this.startedAt) / 1000)
			}
		};
	}

	async beat() {
		try {
			await upsertHeartbeat(this.pool, this.config.workerId, this.config.release);
			if (this.lastBeatError) this.log.info('heartbeat recovered');
			this.lastBeatOkAt = Date.now();
			this.lastBeatError = null;
		} catch (e) {
			if (this.lastBeatError !== errMsg(e)) this.log.warn('heartbeat failed', { error: errMsg(e) });
			this.lastBeatError = errMsg(e);
		}
	}

	_scheduleBeat() {
		if (this.stopping) return;
		this._heartbeatTimer = setTimeout(async () => {
			this._beating = this.beat();
			await this._beating;
			this._scheduleBeat();
		}, this.config.heartbeatIntervalMs);
	}

	/** Sleeps for the poll interval; stop() wakes it early. */
	_idle(ms) {
		return new Promise((resolve) => {
			const t = setTimeout(() => {
				this._wake = null;
				resolve();
			}, ms);
			this._wake = () => {
				clearTimeout(t);
				this._wake = null;
				resolve();
			};
		});
	}

	async _runLoop() {
		while (!this.stopping) {
			let run = null;
			try {
				run = await claimNextRun(this.pool, this.config.workerId);
			} catch (e) {
				this.log.warn('claim failed', { error: errMsg(e) });
			}
			if (run && this.stopping) {
				// claimed while the stop signal arrived: hand it back untouched
				await requeueRun(this.pool, run.id, this.config.workerId).catch(() => {});
				this.stats.requeued++;
				this.log.info('run requeued (shutting down)', { runId: run.id });
				break;
			}
			if (run) {
				this.stats.claimed++;
				await this._process(run);
				continue; // the queue may hold more: claim again right away
			}
			await this._idle(this.config.pollIntervalMs);
		}
	}

	async _process(run) {
		const { workerId, release } = this.config;
		const controller = new AbortController();
		this.inFlight = { run, controller, started: Date.now() };
		this.log.info('run started', { runId: run.id, workflowId: run.workflow_id, projectId: run.project_id });
		try {
			const outcome = await this.execute(run, { signal: controller.signal, maxDelayMs: this.config.maxDelayMs });
			const result = { ...outcome, workerId, release, workflow: { name: run.workflow_name, version: run.workflow_version } };
			await completeRun(this.pool, run.id, workerId, result);
			this.stats.succeeded++;
			this.log.info('run succeeded', { runId: run.id, durationMs: outcome.durationMs });
		} catch (e) {
			if (e instanceof AbortedError) {
				await requeueRun(this.pool, run.id, workerId).catch((err) =>
					this.log.error('could not requeue run', { runId: run.id, error: errMsg(err) })
				);
				this.stats.requeued++;
				this.log.warn('run aborted and requeued (shutdown grace period exceeded)', { runId: run.id });
			} else {
				await failRun(this.pool, run.id, workerId, errMsg(e), { workerId, release }).catch((err) =>
					this.log.error('could not mark run failed', { runId: run.id, error: errMsg(err) })
				);
				this.stats.failed++;
				this.log.warn('run failed', { runId: run.id, error: errMsg(e) });
			}
		} finally {
			this.inFlight = null;
		}
	}

	/**
	 * Graceful stop: stop claiming, let the in-flight run finish within SHUTDOWN_TIMEOUT seconds (after that it is
	 * aborted and put back in the queue), remove this worker's heartbeat, close the health server and the pool.
	 */
	stop(reason = 'stop') {
		if (this._stopPromise) return this._stopPromise;
		this._stopPromise = (async () => {
			const t0 = Date.now();
			this.stopping = true;
			clearTimeout(this._heartbeatTimer);
			this._wake?.();
			// a stop during start-up waits for start-up to settle first
			await this._startPromise?.catch(() => {});
			this.log.info('worker stopping', {
				reason,
				inFlightRunId: this.inFlight?.run.id ?? null,
				graceSeconds: this.config.shutdownTimeoutSeconds
			});
			if (this._loop) {
				const graceMs = this.config.shutdownTimeoutSeconds * 1000;
				let timer;
				const finished = await Promise.race([
					this._loop.then(() => true),
					new Promise((r) => (timer = setTimeout(() => r(false), graceMs)))
				]);
				clearTimeout(timer);
				if (!finished) {
					this.inFlight?.controller.abort();
					await this._loop;
				}
			}
			await this._beating; // a beat racing the stop must not re-create the row after we delete it
			await deleteHeartbeat(this.pool, this.config.workerId).catch((e) =>
				this.log.warn('could not remove heartbeat', { error: errMsg(e) })
			);
			await this.health?.close();
			await this.pool.end().catch(() => {});
			this.stopped = true;
			this.log.info('worker stopped', { reason, durationMs: Date.now() - t0, runs: this.stats });
		})();
		return this._stopPromise;
	}
}
