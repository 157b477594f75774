-- bangfu schema. Read top to bottom it is the whole schema; each "-- migration N:" section is applied once,
-- in order, to databases whose PRAGMA user_version is below N (internal/store). Never edit a section that has
-- shipped: add a new one.
-- Instants are TEXT in UTC, fixed width ("2026-01-02T03:04:05.000000Z"); calendar dates are TEXT "2026-01-02".
-- Money is INTEGER fen.

-- migration 1: organisations, users, sessions and the audit trail
CREATE TABLE orgs (
    id         INTEGER PRIMARY KEY,
    code       TEXT    NOT NULL UNIQUE,
    name       TEXT    NOT NULL,
    level      INTEGER NOT NULL CHECK (level BETWEEN 1 AND 4), -- 区总工会, 街道/乡镇工会, 社区工会, 基层工会
    parent_id  INTEGER REFERENCES orgs (id),
    path       TEXT    NOT NULL UNIQUE,                         -- "/1/3/7/": the subtree is a range of paths
    created_at TEXT    NOT NULL,
    CHECK ((level = 1) = (parent_id IS NULL))
);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    name          TEXT    NOT NULL,
    org_id        INTEGER NOT NULL REFERENCES orgs (id),
    password_hash TEXT    NOT NULL,
    disabled      INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    locked_until  TEXT,
    created_at    TEXT    NOT NULL,
    updated_at    TEXT    NOT NULL
);
CREATE INDEX users_org ON users (org_id);

CREATE TABLE user_roles (
    user_id INTEGER NOT NULL REFERENCES users (id),
    role    TEXT    NOT NULL CHECK (role IN ('caseworker', 'supervisor', 'finance', 'auditor', 'admin')),
    PRIMARY KEY (user_id, role)
) WITHOUT ROWID;

-- Server-side sessions; the cookie holds a random token, the table only its SHA-256.
CREATE TABLE sessions (
    token_hash   TEXT    PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id),
    csrf_token   TEXT    NOT NULL,
    created_at   TEXT    NOT NULL,
    last_seen_at TEXT    NOT NULL,
    client_addr  TEXT    NOT NULL
) WITHOUT ROWID;
CREATE INDEX sessions_user ON sessions (user_id);

-- Failed log-ins, counted per username over a sliding window for the lock-out (SPEC §1.3).
CREATE TABLE login_failures (
    id          INTEGER PRIMARY KEY,
    username    TEXT NOT NULL COLLATE NOCASE,
    at          TEXT NOT NULL,
    client_addr TEXT NOT NULL
);
CREATE INDEX login_failures_user_at ON login_failures (username, at);

-- The audit trail (SPEC §7): append-only, hash-chained. hash = SHA-256(prev_hash ‖ canonical event).
CREATE TABLE audit_events (
    seq         INTEGER PRIMARY KEY,
    at          TEXT    NOT NULL,
    actor_id    INTEGER,              -- NULL for the system or an unknown user
    actor       TEXT    NOT NULL,     -- username at the time
    roles       TEXT    NOT NULL,     -- comma-separated roles at the time
    org_id      INTEGER,              -- the org whose scope the event belongs to
    org_path    TEXT    NOT NULL,
    action      TEXT    NOT NULL,
    entity_type TEXT    NOT NULL,
    entity_id   TEXT    NOT NULL,
    changes     TEXT,                 -- JSON {"before": {...}, "after": {...}} of the changed fields
    reason      TEXT    NOT NULL,
    request_id  TEXT    NOT NULL,
    client_addr TEXT    NOT NULL,
    prev_hash   TEXT    NOT NULL,
    hash        TEXT    NOT NULL
);
CREATE INDEX audit_events_entity ON audit_events (entity_type, entity_id);
CREATE INDEX audit_events_action ON audit_events (action);
CREATE INDEX audit_events_actor ON audit_events (actor);
CREATE INDEX audit_events_org_path ON audit_events (org_path);

CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;

-- The head of the chain, written with every event: a truncated tail no longer matches it.
CREATE TABLE audit_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  INTEGER NOT NULL,
    hash TEXT    NOT NULL
);
CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head
BEGIN SELECT RAISE(ABORT, 'the audit head cannot be deleted'); END;
CREATE TRIGGER audit_head_only_forward BEFORE UPDATE ON audit_head
WHEN NEW.seq <> OLD.seq + 1
BEGIN SELECT RAISE(ABORT, 'the audit head only moves forward one event at a time'); END;

-- migration 2: policy versions (SPEC §2)
-- Each row is one immutable version; decisions store the id of the version they used.
CREATE TABLE policies (
    id             INTEGER PRIMARY KEY,
    effective_from TEXT    NOT NULL,           -- "2026-01-01"
    org_id         INTEGER REFERENCES orgs (id), -- NULL: the whole district; otherwise that org's subtree
    params         TEXT    NOT NULL,           -- JSON of policy.Params
    created_by     TEXT    NOT NULL,
    created_at     TEXT    NOT NULL
);
CREATE INDEX policies_effective ON policies (effective_from);
CREATE TRIGGER policies_no_update BEFORE UPDATE ON policies
BEGIN SELECT RAISE(ABORT, 'policy versions are immutable: create a new version'); END;
CREATE TRIGGER policies_no_delete BEFORE DELETE ON policies
BEGIN SELECT RAISE(ABORT, 'policy versions are immutable: create a new version'); END;

-- The defaults of SPEC §2, in force from the beginning.
INSERT INTO policies (effective_from, org_id, params, created_by, created_at) VALUES ('2000-01-01', NULL, json('{
    "dibao_monthly_fen": 90000,
    "relative_multiplier": 2.0,
    "accident_expense_ratio": 0.8,
    "living_cap_year_fen": 1080000,
    "medical_cap_year_fen": 3000000,
    "education_higher_filed_fen": 500000,
    "education_higher_unfiled_fen": 400000,
    "education_senior_filed_fen": 300000,
    "education_senior_unfiled_fen": 200000,
    "warmth_amount_fen": 100000,
    "household_cap_year_fen": 5000000,
    "second_approval_above_fen": 1000000,
    "green_max_amount_fen": 500000,
    "green_sla_hours": 24,
    "green_docs_days": 30,
    "green_monthly_quota": 50,
    "publicity_days": 5
}'), 'system', '2000-01-01T00:00:00.000000Z');
