import { AppError } from '@agent-harness/core';
import type { Draft, DraftStatus } from '../gc.types.js';
import { isDraftId, isDraftShortId, newDraftId } from './draft-id.js';
import {
  draftIndexEntry,
  MAX_DRAFT_LIST_LIMIT,
  type DraftIndex,
  type DraftIndexEntry,
  type DraftListFilter,
} from './draft-index.js';
import { entryMatches, settledDraft, withStatusOf } from './draft-status.js';
import { FileDraftStore } from './file-draft-store.js';

/** @public */
export interface DraftsOptions {
  /** Where the draft files live: `<data_dir>/drafts`. */
  readonly dir: string;
  readonly index: DraftIndex;
  readonly now?: (() => Date) | undefined;
  readonly newId?: (() => string) | undefined;
}

/** A draft as its maker supplies it: the id, status and time are given by `Drafts.create`. @public */
export type NewDraft = Omit<Draft, 'id' | 'status' | 'generatedAt'>;

/** @public */
export interface DraftTransitionOptions {
  /** Why (a reject's reason…); one line, at most 1,000 characters are kept. Absent: the old reason stays. */
  readonly reason?: string | undefined;
  /** The task that adopted the draft. Absent: the old one stays. */
  readonly taskId?: string | undefined;
}

/** What `reconcile` found and mended. @public */
export interface ReconcileReport {
  /** Draft files the index did not know, now indexed. */
  readonly indexed: number;
  /** Drafts whose file and index disagreed, now agreeing. */
  readonly repaired: number;
  /** Files that could not be read as drafts (left alone), each with why. */
  readonly unreadable: readonly string[];
}

const MAX_REASON = 1000;
/** Fresh ids tried before giving up: a clash of 48 random bits is already unlikely. */
const ID_ATTEMPTS = 5;

/**
 * The GC's drafts, the one API the rest of Harness uses. Each draft is a JSON file (the whole record)
 * plus an index entry (for listing and for deciding status changes). A change writes the index
 * first, then the file; `reconcile` (run by `Drafts.open`) mends what a crash between the two left.
 * Ids may be given whole or as their first 8 characters.
 * @public
 */
export class Drafts {
  private readonly store: FileDraftStore;
  private readonly index: DraftIndex;
  private readonly now: () => Date;
  private readonly newId: () => string;
  /** File rewrites of one draft, one at a time, so the last write carries the index's latest status. */
  private readonly rewrites = new Map<string, Promise<unknown>>();

  constructor(options: DraftsOptions) {
    this.store = new FileDraftStore(options.dir);
    this.index = options.index;
    this.now = options.now ?? (() => new Date());
    this.newId = options.newId ?? newDraftId;
  }

  /** Drafts over `options`, reconciled first (a crash may have left file and index apart). */
  static async open(options: DraftsOptions): Promise<Drafts> {
    const drafts = new Drafts(options);
    await drafts.reconcile();
    return drafts;
  }

  /** Stores a new pending draft: its file, then its index entry. INVALID_ARGUMENT for a malformed draft. */
  async create(input: NewDraft): Promise<Draft> {
    // A new draft has no status history, whatever the input carries.
    const { statusChangedAt: _at, statusReason: _reason, taskId: _task, ...fields } = input;
    const generatedAt = this.now().toISOString();
    for (let attempt = 0; attempt < ID_ATTEMPTS; attempt++) {
      const id = this.newId();
      if (!isDraftId(id)) throw new AppError('INTERNAL', `the draft id generator gave ${JSON.stringify(id)}`);
      if ((await this.index.get(id)) !== undefined || (await this.store.read(id)) !== undefined) continue;
      const draft = await this.store.write({ ...fields, id, status: 'pending', generatedAt });
      await this.index.upsert(draftIndexEntry(draft));
      return draft;
    }
    throw new AppError('CONFLICT', `no unused draft id after ${String(ID_ATTEMPTS)} tries`);
  }

  /** The draft. NOT_FOUND naming the id; INVALID_ARGUMENT for a malformed id; CONFLICT for an ambiguous short id. */
  async get(id: string): Promise<Draft> {
    const draft = await this.find(id);
    if (draft === undefined) throw notFound(id);
    return draft;
  }

  /** Like `get`, but undefined when there is no such draft. */
  async find(id: string): Promise<Draft | undefined> {
    const full = await this.resolve(id);
    if (full === undefined) return undefined;
    const draft = await this.store.read(full);
    return draft === undefined ? undefined : settledDraft(draft, await this.index.get(full));
  }

  list(filter: DraftListFilter): Promise<DraftIndexEntry[]> {
    return this.index.list(filter);
  }

  counts(project?: string): Promise<Record<DraftStatus, number>> {
    return this.index.countByStatus(project);
  }

  /** The pending draft of this signal in this project, if there is one (GC does not draft a signal twice). */
  pendingForSignal(project: string, signalId: string): Promise<DraftIndexEntry | undefined> {
    return this.index.pendingForSignal(project, signalId);
  }

  /**
   * Moves the draft to `to` when its status is one of `from`; the index decides, so of two racing
   * changes exactly one wins and the other gets CONFLICT ("draft <id> is adopted (task …), not
   * pending"). Then the file is rewritten with the new status.
   */
  async transition(
    id: string,
    from: readonly DraftStatus[],
    to: DraftStatus,
    options: DraftTransitionOptions = {},
  ): Promise<Draft> {
    if (from.length === 0)
      throw new AppError('INVALID_ARGUMENT', 'a draft transition needs the statuses it starts from');
    const full = await this.resolve(id);
    if (full === undefined) throw notFound(id);
    await this.ensureIndexed(full);
    const reason = options.reason?.replace(/\s+/g, ' ').trim().slice(0, MAX_REASON);
    const changed = await this.index.transition(full, from, to, {
      statusChangedAt: this.now().toISOString(),
      ...(reason === undefined || reason === '' ? {} : { statusReason: reason }),
      ...(options.taskId === undefined ? {} : { taskId: options.taskId }),
    });
    if (!changed) {
      const entry = await this.index.get(full);
      if (entry === undefined) throw notFound(id);
      const task = entry.taskId === undefined ? '' : ` (task ${entry.taskId})`;
      throw new AppError('CONFLICT', `draft ${full} is ${entry.status}${task}, not ${from.join(' or ')}`, {
        details: { id: full, status: entry.status },
      });
    }
    return this.rewriteFromIndex(full);
  }

  /**
   * Pending drafts generated more than `ttlHours` ago become `expired` (reason `expired after N h`);
   * their files stay. Answers the drafts it expired. A draft changed meanwhile by someone else is left.
   */
  async expireStale(ttlHours: number): Promise<Draft[]> {
    if (!Number.isFinite(ttlHours) || ttlHours <= 0) {
      throw new AppError('INVALID_ARGUMENT', `a draft TTL is a number of hours > 0, not ${String(ttlHours)}`);
    }
    const cutoff = new Date(this.now().getTime() - ttlHours * 3_600_000).toISOString();
    const reason = `expired after ${String(ttlHours)} h`;
    const expired: Draft[] = [];
    const seen = new Set<string>();
    for (;;) {
      const batch = (await this.index.pendingBefore(cutoff, MAX_DRAFT_LIST_LIMIT)).filter((id) => !seen.has(id));
      if (batch.length === 0) return expired;
      for (const id of batch) {
        seen.add(id);
        try {
          expired.push(await this.transition(id, ['pending'], 'expired', { reason }));
        } catch (error) {
          if (!(error instanceof AppError && (error.code === 'CONFLICT' || error.code === 'NOT_FOUND'))) throw error;
        }
      }
    }
  }

  /**
   * Mends what a crash between a file write and an index write left: files the index does not know
   * are indexed; where file and index disagree on the status, the side changed later wins (a tie goes
   * to the index) and the other is rewritten. Unreadable files are reported and left alone.
   */
  async reconcile(): Promise<ReconcileReport> {
    let indexed = 0;
    let repaired = 0;
    const unreadable: string[] = [];
    for (const id of await this.store.ids()) {
      let draft: Draft | undefined;
      try {
        draft = await this.store.read(id);
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        unreadable.push(error.message);
        continue;
      }
      if (draft === undefined) continue;
      const entry = await this.index.get(id);
      if (entry === undefined) {
        await this.index.upsert(draftIndexEntry(draft));
        indexed += 1;
        continue;
      }
      const settled = settledDraft(draft, entry);
      const fileStale = settled !== draft;
      if (fileStale) await this.serially(id, () => this.store.write(settled));
      const indexStale = !entryMatches(settled, entry);
      if (indexStale) await this.index.upsert(draftIndexEntry(settled));
      if (fileStale || indexStale) repaired += 1;
    }
    return { indexed, repaired, unreadable };
  }

  /** A whole id for `text` (a whole id, or a unique short one), or undefined when no draft has it. */
  private async resolve(text: string): Promise<string | undefined> {
    const id = text.trim().toLowerCase();
    if (isDraftId(id)) return id;
    if (!isDraftShortId(id)) {
      throw new AppError(
        'INVALID_ARGUMENT',
        `${JSON.stringify(text.slice(0, 100))} is not a draft id (12 hex characters, or their first 8)`,
        { details: { id: text.slice(0, 100) } },
      );
    }
    const matches = (await this.store.ids()).filter((candidate) => candidate.startsWith(id));
    if (matches.length > 1) {
      throw new AppError('CONFLICT', `draft id ${id} is ambiguous (${matches.join(', ')}): give all 12 characters`, {
        details: { id, matches },
      });
    }
    return matches[0];
  }

  /** A draft file the index lost (a crash before its entry was written) is indexed before it changes. */
  private async ensureIndexed(id: string): Promise<void> {
    if ((await this.index.get(id)) !== undefined) return;
    const draft = await this.store.read(id);
    if (draft === undefined) throw notFound(id);
    await this.index.upsert(draftIndexEntry(draft));
  }

  private rewriteFromIndex(id: string): Promise<Draft> {
    return this.serially(id, async () => {
      const [draft, entry] = [await this.store.read(id), await this.index.get(id)];
      if (draft === undefined) {
        throw new AppError(
          'NOT_FOUND',
          `draft ${id} changed in the index, but its file is gone from ${this.store.dir}`,
        );
      }
      if (entry === undefined) throw new AppError('INTERNAL', `draft ${id} changed in the index, then left it`);
      // Read inside the queue: whichever rewrite runs last writes the index's latest status.
      return this.store.write(withStatusOf(draft, entry));
    });
  }

  private serially<T>(id: string, work: () => Promise<T>): Promise<T> {
    const previous = this.rewrites.get(id) ?? Promise.resolve();
    const next = previous.then(work, work);
    const settled = next.then(
      () => undefined,
      () => undefined,
    );
    this.rewrites.set(id, settled);
    void settled.then(() => {
      if (this.rewrites.get(id) === settled) this.rewrites.delete(id);
    });
    return next;
  }
}

function notFound(id: string): AppError {
  return new AppError('NOT_FOUND', `no draft ${JSON.stringify(id.slice(0, 100))}`, {
    details: { id: id.slice(0, 100) },
  });
}
