/**
 * Upload bytes held at once, per tenant and for the whole replica (UploadBudget each). One
 * tenant can hold at most its share (429 TENANT_UPLOADS_BUSY: the others still upload); all
 * tenants together at most the replica's budget (503 UPLOADS_BUSY). A hold can grow once the
 * body is decoded (decompressed data is memory too) under the same rules. Answers never quote
 * the budgets: their sizes say nothing useful to a client and something to an attacker; nor
 * does ingestion's own refusal (ingestionBusy).
 */
import { HttpError } from '../problem.js';
import { UploadBudget } from './upload-budget.js';

export interface UploadHold {
  /** Takes `bytes` more for the same upload; throws the 429/503 problem when they do not fit. */
  grow(bytes: number): void;
  release(): void;
}

/** Refused before the body is read: the connection is closed rather than the body drained. */
function refused(which: 'tenant' | 'global'): HttpError {
  return which === 'tenant'
    ? new HttpError(
        429,
        'TENANT_UPLOADS_BUSY',
        'this tenant already has its share of uploads in progress; retry when one ends',
        { headers: { 'retry-after': '2', connection: 'close' }, retriable: true },
      )
    : new HttpError(503, 'UPLOADS_BUSY', 'this gateway is busy with other uploads; retry shortly', {
        headers: { 'retry-after': '1', connection: 'close' },
      });
}

export class UploadBudgets {
  private readonly global: UploadBudget;
  private readonly tenants = new Map<string, UploadBudget>();

  constructor(
    globalLimit: number,
    private readonly tenantLimit: number,
    onChange?: (bytes: number) => void,
  ) {
    this.global = new UploadBudget(globalLimit, onChange);
  }

  get used(): number {
    return this.global.used;
  }

  usedBy(tenant: string): number {
    return this.tenants.get(tenant)?.used ?? 0;
  }

  /** Reserves `bytes` for one upload of `tenant`; throws the 429/503 problem when they do not fit. */
  reserve(tenant: string, bytes: number): UploadHold {
    const releases: (() => void)[] = [];
    const hold: UploadHold = {
      grow: (more) => {
        releases.push(this.take(tenant, more));
      },
      release: () => {
        for (const release of releases.splice(0)) release();
      },
    };
    hold.grow(bytes);
    return hold;
  }

  private take(tenant: string, bytes: number): () => void {
    let budget = this.tenants.get(tenant);
    if (budget === undefined) this.tenants.set(tenant, (budget = new UploadBudget(this.tenantLimit)));
    const tenantRelease = budget.tryReserve(bytes);
    if (tenantRelease === undefined) throw refused('tenant');
    const globalRelease = this.global.tryReserve(bytes);
    if (globalRelease === undefined) {
      tenantRelease();
      this.forget(tenant);
      throw refused('global');
    }
    return () => {
      globalRelease();
      tenantRelease();
      this.forget(tenant);
    };
  }

  private forget(tenant: string): void {
    if (this.tenants.get(tenant)?.used === 0) this.tenants.delete(tenant);
  }
}

/**
 * Ingestion refusing a whole batch (RESOURCE_EXHAUSTED: its in-flight bytes) is the service
 * being busy, not this caller's limit: a documented 503 that does not quote ingestion's sizes.
 */
export function ingestionBusy(error: unknown): never {
  if (error instanceof HttpError && error.status === 429)
    throw new HttpError(503, 'INGESTION_BUSY', 'ingestion is busy; retry shortly', {
      headers: { 'retry-after': '2' },
      cause: error,
    });
  throw error;
}
