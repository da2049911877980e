/**
 * The original (Rust) harness's config keys that this one has no key for: each is renamed to the
 * key that does the same, or accepted and ignored with the reason, so the original's files load.
 * A key that is neither (a typo of a current key, say) is still an error.
 */

/** Original keys accepted and ignored, by dotted path, with why nothing reads them here. */
const IGNORED: Readonly<Record<string, string>> = {
  'server.notification_lag_log_every': 'notifications are not dropped, so no lag is logged',
  'server.ws_heartbeat_interval_secs': 'a WebSocket stays open as long as its client keeps it',
  'server.trusted_proxies': 'a request is judged by its own address and Host/Origin, never by X-Forwarded-* headers',
  'server.max_webhook_body_bytes': 'the webhook body limit is fixed',
  'server.signal_rate_limit_per_minute': 'there is no signal endpoint',
  'server.password_reset_rate_limit_per_hour': 'there are no passwords',
  'server.constitution_enabled':
    'project guidance comes from rules and skills, not a constitution prepended to prompts',
  'agents.capability_profile': 'what an agent may do follows [agents] sandbox_mode',
  'agents.stream_timeout_secs': "each agent's own idle_timeout_secs ends a silent run",
  'agents.review.review_bot_command': "reviews are a second agent's, not a review bot's",
  'agents.review.review_bot_auto_trigger': "reviews are a second agent's, not a review bot's",
  'agents.review.reviewer_name': "reviews are a second agent's, not a review bot's",
  'review.run_on_startup': 'a project never reviewed is reviewed soon after start anyway',
  'gc.adopt_turn_timeout_secs': "an adopted draft runs as a task, under the agent's own timeouts",
  'gc.auto_gc_grades': 'GC runs as often as the health grade asks ([schedulers.gc] grade_a_hours … grade_d_hours)',
  'gc.auto_gc_cooldown_secs':
    'GC runs as often as the health grade asks ([schedulers.gc] grade_a_hours … grade_d_hours)',
  'gc.auto_pr': 'an adopted draft always becomes a pull request',
  'concurrency.stall_timeout_secs': "each agent's own idle_timeout_secs ends a stalled run",
  'concurrency.per_project': 'a project sets its own limit with [[projects]] max_concurrent',
  'validation.test_gate_timeout_secs': 'every check has [validation] timeout_secs',
  'workspace.root': 'worktrees live in data_dir/worktrees',
  'workspace.auto_cleanup': 'finished worktrees are removed, or kept for reuse as [workspace] idle_worktrees says',
  'intake.feishu': 'there is no Feishu intake',
};

/** The original's spelling of `[agents] approval_policy` values. */
const APPROVAL_SPELLINGS: Readonly<Record<string, string>> = { auto_edit: 'auto-edit', full_auto: 'full-auto' };

type Table = Record<string, unknown>;

const isTable = (value: unknown): value is Table =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);

/** The table at a dotted path, if there is one. */
function tableAt(root: Table, path: string): Table | undefined {
  let node: unknown = root;
  for (const part of path.split('.')) node = isTable(node) ? node[part] : undefined;
  return isTable(node) ? node : undefined;
}

/**
 * A deep copy of the parsed TOML's tables without the ignored keys, each noted with why (arrays
 * and values are kept as they are).
 */
function copyWithout(value: unknown, path: string, notes: string[]): unknown {
  if (!isTable(value)) return value;
  const kept = Object.entries(value).flatMap(([key, inner]) => {
    const at = path === '' ? key : `${path}.${key}`;
    const why = IGNORED[at];
    if (why === undefined) return [[key, copyWithout(inner, at, notes)] as const];
    notes.push(`${at} is ignored: ${why}`);
    return [];
  });
  return Object.fromEntries(kept);
}

/**
 * The parsed file with the original's keys made current: renamed where this harness has the same
 * setting under another name, removed where nothing reads it. `notes` says, for each, what was done
 * and why (one start-up warning lists them).
 */
export function upgradeOriginalKeys(parsed: unknown): { readonly raw: unknown; readonly notes: readonly string[] } {
  if (!isTable(parsed)) return { raw: parsed, notes: [] };
  const ignored: string[] = [];
  const raw = copyWithout(parsed, '', ignored) as Table;
  const notes: string[] = [];

  const gc = tableAt(raw, 'gc');
  if (gc?.['signal_thresholds'] !== undefined && gc['signals'] === undefined) {
    gc['signals'] = gc['signal_thresholds'];
    delete gc['signal_thresholds'];
    notes.push('gc.signal_thresholds is read as gc.signals');
  }
  const agents = tableAt(raw, 'agents');
  const policy = agents?.['approval_policy'];
  if (agents !== undefined && typeof policy === 'string' && APPROVAL_SPELLINGS[policy] !== undefined) {
    agents['approval_policy'] = APPROVAL_SPELLINGS[policy];
    // The original never applied it, so a file saying auto_edit ran its agents as full-auto.
    const changes =
      policy === 'auto_edit' ? ': agents edit files but run no command (set "full-auto" to run them)' : '';
    notes.push(`agents.approval_policy "${policy}" is read as "${APPROVAL_SPELLINGS[policy]}"${changes}`);
  }
  const review = tableAt(raw, 'agents.review');
  if (review?.['reviewer_agent'] === '') {
    delete review['reviewer_agent'];
    notes.push('agents.review.reviewer_agent "" means the default reviewer');
  }
  const github = tableAt(raw, 'intake.github');
  const repo = github?.['repo'];
  if (github !== undefined && typeof repo === 'string') {
    delete github['repo'];
    if (repo !== '') {
      const repos = Array.isArray(github['repos']) ? (github['repos'] as unknown[]) : [];
      github['repos'] = [...repos, repo];
      notes.push(`intake.github.repo "${repo}" is read as one of intake.github.repos`);
    }
  }
  notes.push(...ignored);
  return { raw, notes };
}
