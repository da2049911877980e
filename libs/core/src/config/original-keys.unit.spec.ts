import { describe, expect, it } from 'vitest';
import { resolveConfig } from './resolve-config.js';

/** A config file of the original harness, with every key its inventory lists (../shared/reference). */
const ORIGINAL = `
[server]
transport = "http"
http_addr = "127.0.0.1:9800"
data_dir = "/srv/harness"
notification_broadcast_capacity = 256
notification_lag_log_every = 1
ws_heartbeat_interval_secs = 30
trusted_proxies = []
allowed_project_roots = []
max_webhook_body_bytes = 524288
signal_rate_limit_per_minute = 100
password_reset_rate_limit_per_hour = 5
constitution_enabled = true
[agents]
default_agent = "auto"
complexity_preferred_agents = []
sandbox_mode = "workspace-write"
approval_policy = "auto_edit"
capability_profile = "full"
stream_timeout_secs = 1800
[agents.claude]
cli_path = "claude"
default_model = "sonnet"
[agents.claude.reasoning_budget]
planning_tier = "xhigh"
execution_tier = "high"
validation_tier = "xhigh"
[agents.codex]
cli_path = "codex"
[agents.codex.cloud]
enabled = false
cache_ttl_hours = 12
setup_commands = []
setup_secret_env = []
[agents.anthropic_api]
base_url = "https://api.anthropic.com"
default_model = "claude-sonnet-4-20250514"
max_tokens = 4096
[agents.review]
enabled = false
reviewer_agent = ""
max_rounds = 3
review_bot_command = "/gemini review"
review_bot_auto_trigger = true
reviewer_name = "gemini-code-assist[bot]"
[gc]
max_drafts_per_run = 5
budget_per_signal_usd = 0.5
total_budget_usd = 5.0
adopt_wait_secs = 120
adopt_max_rounds = 3
adopt_turn_timeout_secs = 600
draft_ttl_hours = 72
auto_gc_grades = ["D"]
auto_gc_cooldown_secs = 300
auto_pr = true
[gc.signal_thresholds]
repeated_warn_min = 12
chronic_block_min = 5
hot_file_edits_min = 20
slow_op_threshold_ms = 5000
slow_op_count_min = 10
escalation_ratio = 1.5
violation_min = 5
[rules]
discovery_paths = []
exec_policy_paths = []
auto_fix = false
hook_enforcement = false
[observe]
session_renewal_secs = 1800
log_retention_days = 90
[otel]
environment = "development"
exporter = "disabled"
log_user_prompt = false
[validation]
pre_commit = []
pre_push = []
timeout_secs = 120
max_retries = 2
test_gate_timeout_secs = 300
[workspace]
root = "/srv/harness/workspaces"
hook_timeout_secs = 60
auto_cleanup = true
[concurrency]
max_concurrent_tasks = 4
max_queue_size = 32
stall_timeout_secs = 300
per_project = {}
[intake.github]
enabled = false
repo = "octo-org/app"
label = "harness"
poll_interval_secs = 30
[intake.feishu]
enabled = false
trigger_keyword = "harness"
[review]
enabled = false
run_on_startup = false
interval_hours = 24
strategy = "single"
timeout_secs = 900
`;

const resolve = (text: string) =>
  resolveConfig({ file: { path: '/etc/harness/original.toml', text }, env: {}, homeDir: '/home/ann', cwd: '/' });

describe("the original harness's config files", () => {
  it('load: renamed keys take effect, ignored ones are named with why', () => {
    const result = resolve(ORIGINAL);
    if (!result.ok) throw result.error;
    // A key this harness has too: kept and enforced, so nothing is said of it.
    expect(result.value.server.allowed_project_roots).toEqual([]);
    // Renamed: the setting is the one of the current key.
    expect(result.value.gc.signals.repeated_warn_min).toBe(12);
    expect(result.value.agents.approval_policy).toBe('auto-edit');
    expect(result.value.agents.review.reviewer_agent).toBe('codex');
    expect(result.value.intake.github.repos).toEqual(['octo-org/app']);
    expect(result.notes).toContain('gc.signal_thresholds is read as gc.signals');
    expect(result.notes).toContain('intake.github.repo "octo-org/app" is read as one of intake.github.repos');
    expect(result.notes).toContain('intake.feishu is ignored: there is no Feishu intake');
    expect(result.notes).toContain(
      'concurrency.per_project is ignored: a project sets its own limit with [[projects]] max_concurrent',
    );
    // Every ignored or renamed key is said, once.
    expect(result.notes).toHaveLength(27);
  });

  it('still refuses a typo of a current key, and a current file has nothing to say', () => {
    const typo = resolve('[gc.signal_threshold]\nrepeated_warn_min = 3\n[server]\ntrusted_proxie = []\n');
    expect(typo.ok ? [] : typo.error.problems.map((p) => p.path).sort()).toEqual([
      'gc.signal_threshold',
      'server.trusted_proxie',
    ]);
    const current = resolve('[gc.signals]\nrepeated_warn_min = 3\n');
    expect(current.ok && current.notes).toEqual([]);
  });
});
