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

-- migration 3: the fund ledger (SPEC §6)
-- Double entry: a transfer moves an amount out of its debit account into its credit account, in the one unit
-- both accounts keep ('CNY' in fen, or a goods unit such as 箱). For every account
--   posted    = credits posted − debits posted
--   available = posted − debits pending          (pending credits are not spendable until they are posted)
-- and every account but an external one keeps available ≥ 0. The four sums are cached on the account row by the
-- triggers below, in the transaction that writes the transfer; `bangfu ledger check` recomputes them.
CREATE TABLE fund_accounts (
    id              INTEGER PRIMARY KEY,
    kind            TEXT    NOT NULL CHECK (kind IN ('fund', 'budget', 'allocation', 'stock', 'payee', 'expense', 'external')),
    name            TEXT    NOT NULL,
    unit            TEXT    NOT NULL,                         -- 'CNY' (fen) or a goods unit
    org_id          INTEGER NOT NULL REFERENCES orgs (id),    -- the owner; its path decides who sees the account
    org_path        TEXT    NOT NULL,
    purposes        TEXT    NOT NULL DEFAULT '',              -- fund: ",general,epidemic," — what it may pay for (专款专用)
    year            INTEGER,                                  -- budget, allocation
    aid_type        TEXT,                                     -- budget, allocation: living, medical, …, cooling, health_check
    purpose         TEXT,                                     -- budget, allocation: the purpose tag the line serves
    budget_line_id  INTEGER REFERENCES fund_accounts (id),    -- allocation: the line it is drawn from (下拨)
    ref_type        TEXT,                                     -- payee, expense, stock: what the account stands for
    ref_id          TEXT,
    debits_posted   INTEGER NOT NULL DEFAULT 0,
    credits_posted  INTEGER NOT NULL DEFAULT 0,
    debits_pending  INTEGER NOT NULL DEFAULT 0,
    credits_pending INTEGER NOT NULL DEFAULT 0,
    created_at      TEXT    NOT NULL,
    created_by      TEXT    NOT NULL,
    -- SPEC §6: never overspent, counting pending debits. The ledger checks first to explain the refusal; this
    -- constraint holds even against a bug in that check.
    CHECK (kind = 'external' OR credits_posted - debits_posted - debits_pending >= 0),
    CHECK (debits_posted >= 0 AND credits_posted >= 0 AND debits_pending >= 0 AND credits_pending >= 0),
    CHECK (kind NOT IN ('budget', 'allocation') OR (year IS NOT NULL AND aid_type IS NOT NULL AND purpose IS NOT NULL)),
    CHECK ((kind = 'allocation') = (budget_line_id IS NOT NULL))
);
CREATE UNIQUE INDEX fund_accounts_fund_name ON fund_accounts (org_id, name) WHERE kind = 'fund';
CREATE UNIQUE INDEX fund_accounts_budget_line ON fund_accounts (org_id, year, aid_type, purpose) WHERE kind = 'budget';
CREATE UNIQUE INDEX fund_accounts_allocation ON fund_accounts (budget_line_id, org_id) WHERE kind = 'allocation';
CREATE UNIQUE INDEX fund_accounts_ref ON fund_accounts (kind, ref_type, ref_id, unit) WHERE ref_type IS NOT NULL;
CREATE UNIQUE INDEX fund_accounts_external ON fund_accounts (unit) WHERE kind = 'external';
CREATE INDEX fund_accounts_kind_path ON fund_accounts (kind, org_path);
CREATE INDEX fund_accounts_org_path ON fund_accounts (org_path);
CREATE INDEX fund_accounts_year_aid ON fund_accounts (year, aid_type);
CREATE INDEX fund_accounts_org ON fund_accounts (org_id);

-- Only the cached sums change; what an account is never does, and no account is deleted.
CREATE TRIGGER fund_accounts_fixed BEFORE UPDATE OF id, kind, name, unit, org_id, org_path, purposes, year, aid_type,
    purpose, budget_line_id, ref_type, ref_id, created_at, created_by ON fund_accounts
BEGIN SELECT RAISE(ABORT, 'a ledger account does not change: open a new one'); END;
CREATE TRIGGER fund_accounts_no_delete BEFORE DELETE ON fund_accounts
BEGIN SELECT RAISE(ABORT, 'ledger accounts are never deleted'); END;

-- Transfers are immutable. One written as pending (a reservation) is settled — posted or voided — exactly once
-- by a row of fund_settlements, itself immutable; so the state of a transfer is: posted when pending = 0, else
-- the state of its settlement, else pending. No row is ever updated.
CREATE TABLE fund_transfers (
    id                INTEGER PRIMARY KEY,
    kind              TEXT    NOT NULL CHECK (kind IN ('receive', 'budget', 'allocate', 'reserve', 'transfer', 'reverse')),
    debit_account_id  INTEGER NOT NULL REFERENCES fund_accounts (id),
    credit_account_id INTEGER NOT NULL REFERENCES fund_accounts (id),
    amount            INTEGER NOT NULL CHECK (amount > 0),     -- in unit: fen for CNY
    unit              TEXT    NOT NULL,
    pending           INTEGER NOT NULL CHECK (pending IN (0, 1)),
    idempotency_key   TEXT    UNIQUE,
    content_hash      TEXT    NOT NULL,                        -- what a retry with the same key must match
    ref_type          TEXT,                                    -- application, delivery, enrolment, purchase, …
    ref_id            TEXT,
    reverses_id       INTEGER UNIQUE REFERENCES fund_transfers (id), -- a transfer is reversed at most once
    reason            TEXT    NOT NULL DEFAULT '',
    voucher_no        TEXT    NOT NULL DEFAULT '',
    payment_method    TEXT    NOT NULL DEFAULT '' CHECK (payment_method IN ('', 'bank', 'cash')),
    memo              TEXT    NOT NULL DEFAULT '',
    actor_id          INTEGER,
    actor             TEXT    NOT NULL,
    created_at        TEXT    NOT NULL,
    CHECK (debit_account_id <> credit_account_id),
    CHECK ((kind = 'reverse') = (reverses_id IS NOT NULL)),
    CHECK (kind <> 'reverse' OR (pending = 0 AND reason <> ''))
);
CREATE INDEX fund_transfers_debit ON fund_transfers (debit_account_id, id);
CREATE INDEX fund_transfers_credit ON fund_transfers (credit_account_id, id);
CREATE INDEX fund_transfers_ref ON fund_transfers (ref_type, ref_id);
CREATE INDEX fund_transfers_created ON fund_transfers (created_at);
CREATE INDEX fund_transfers_kind ON fund_transfers (kind);
CREATE INDEX fund_transfers_voucher ON fund_transfers (voucher_no) WHERE voucher_no <> '';

CREATE TABLE fund_settlements (
    transfer_id    INTEGER PRIMARY KEY REFERENCES fund_transfers (id), -- settled exactly once
    state          TEXT    NOT NULL CHECK (state IN ('posted', 'voided')),
    voucher_no     TEXT    NOT NULL DEFAULT '',
    payment_method TEXT    NOT NULL DEFAULT '' CHECK (payment_method IN ('', 'bank', 'cash')),
    memo           TEXT    NOT NULL DEFAULT '',
    actor_id       INTEGER,
    actor          TEXT    NOT NULL,
    created_at     TEXT    NOT NULL
);
CREATE INDEX fund_settlements_state ON fund_settlements (state);

CREATE TRIGGER fund_transfers_no_update BEFORE UPDATE ON fund_transfers
BEGIN SELECT RAISE(ABORT, 'transfers are immutable: correct by a reversing transfer'); END;
CREATE TRIGGER fund_transfers_no_delete BEFORE DELETE ON fund_transfers
BEGIN SELECT RAISE(ABORT, 'transfers are immutable: correct by a reversing transfer'); END;
CREATE TRIGGER fund_settlements_no_update BEFORE UPDATE ON fund_settlements
BEGIN SELECT RAISE(ABORT, 'a settlement is final'); END;
CREATE TRIGGER fund_settlements_no_delete BEFORE DELETE ON fund_settlements
BEGIN SELECT RAISE(ABORT, 'a settlement is final'); END;

-- Units never mix: both accounts keep the transfer's unit.
CREATE TRIGGER fund_transfers_one_unit BEFORE INSERT ON fund_transfers
WHEN NEW.unit IS NOT (SELECT unit FROM fund_accounts WHERE id = NEW.debit_account_id)
  OR NEW.unit IS NOT (SELECT unit FROM fund_accounts WHERE id = NEW.credit_account_id)
BEGIN SELECT RAISE(ABORT, 'units never mix'); END;

-- A reversal mirrors a posted transfer that is not itself a reversal.
CREATE TRIGGER fund_transfers_reversal BEFORE INSERT ON fund_transfers
WHEN NEW.reverses_id IS NOT NULL AND NOT EXISTS (
    SELECT 1 FROM fund_transfers o LEFT JOIN fund_settlements s ON s.transfer_id = o.id
    WHERE o.id = NEW.reverses_id AND o.reverses_id IS NULL
      AND (o.pending = 0 OR s.state = 'posted')
      AND o.debit_account_id = NEW.credit_account_id AND o.credit_account_id = NEW.debit_account_id
      AND o.amount = NEW.amount AND o.unit = NEW.unit)
BEGIN SELECT RAISE(ABORT, 'a reversal mirrors a posted transfer that is not itself a reversal'); END;

-- Only a transfer written as pending is settled.
CREATE TRIGGER fund_settlements_only_pending BEFORE INSERT ON fund_settlements
WHEN (SELECT pending FROM fund_transfers WHERE id = NEW.transfer_id) IS NOT 1
BEGIN SELECT RAISE(ABORT, 'only a pending transfer is posted or voided'); END;

-- The cached sums follow every transfer and settlement in the same statement.
CREATE TRIGGER fund_transfers_apply AFTER INSERT ON fund_transfers
BEGIN
    UPDATE fund_accounts SET
        debits_posted  = debits_posted  + CASE WHEN NEW.pending = 0 THEN NEW.amount ELSE 0 END,
        debits_pending = debits_pending + CASE WHEN NEW.pending = 1 THEN NEW.amount ELSE 0 END
    WHERE id = NEW.debit_account_id;
    UPDATE fund_accounts SET
        credits_posted  = credits_posted  + CASE WHEN NEW.pending = 0 THEN NEW.amount ELSE 0 END,
        credits_pending = credits_pending + CASE WHEN NEW.pending = 1 THEN NEW.amount ELSE 0 END
    WHERE id = NEW.credit_account_id;
END;
CREATE TRIGGER fund_settlements_apply AFTER INSERT ON fund_settlements
BEGIN
    UPDATE fund_accounts SET
        debits_pending = debits_pending - (SELECT amount FROM fund_transfers WHERE id = NEW.transfer_id),
        debits_posted  = debits_posted  + CASE WHEN NEW.state = 'posted'
                             THEN (SELECT amount FROM fund_transfers WHERE id = NEW.transfer_id) ELSE 0 END
    WHERE id = (SELECT debit_account_id FROM fund_transfers WHERE id = NEW.transfer_id);
    UPDATE fund_accounts SET
        credits_pending = credits_pending - (SELECT amount FROM fund_transfers WHERE id = NEW.transfer_id),
        credits_posted  = credits_posted  + CASE WHEN NEW.state = 'posted'
                              THEN (SELECT amount FROM fund_transfers WHERE id = NEW.transfer_id) ELSE 0 END
    WHERE id = (SELECT credit_account_id FROM fund_transfers WHERE id = NEW.transfer_id);
END;
-- migration 4: hardship households (SPEC §3)
-- One row per file (一户一档). Identity numbers are stored in full and masked on every way out (JSON, audit);
-- id_suffix holds the last four ID digits so that "search by the last four" is an index lookup.
CREATE TABLE households (
    id                     INTEGER PRIMARY KEY,
    file_no                TEXT    NOT NULL UNIQUE,  -- 档案编号 "KN2026000123"
    status                 TEXT    NOT NULL CHECK (status IN ('draft', 'submitted', 'visited', 'publicizing', 'filed', 'exited', 'rejected')),
    org_id                 INTEGER NOT NULL REFERENCES orgs (id), -- the grassroots union
    org_path               TEXT    NOT NULL,
    head_name              TEXT    NOT NULL,
    gender                 TEXT    NOT NULL CHECK (gender IN ('male', 'female')),
    id_number              TEXT    NOT NULL,
    id_suffix              TEXT    NOT NULL,
    birth_date             TEXT    NOT NULL,
    phone                  TEXT    NOT NULL,
    employer               TEXT    NOT NULL,
    industry               TEXT    NOT NULL,
    employment_status      TEXT    NOT NULL,
    union_member_since     TEXT    NOT NULL,
    migrant                INTEGER NOT NULL CHECK (migrant IN (0, 1)),
    address                TEXT    NOT NULL,
    bank_card              TEXT    NOT NULL,
    health                 TEXT    NOT NULL,
    disability             TEXT    NOT NULL,
    income_wages_fen       INTEGER NOT NULL CHECK (income_wages_fen >= 0),
    income_business_fen    INTEGER NOT NULL CHECK (income_business_fen >= 0),
    income_property_fen    INTEGER NOT NULL CHECK (income_property_fen >= 0),
    income_transfer_fen    INTEGER NOT NULL CHECK (income_transfer_fen >= 0),
    expense_medical_fen    INTEGER NOT NULL CHECK (expense_medical_fen >= 0),
    expense_disability_fen INTEGER NOT NULL CHECK (expense_disability_fen >= 0),
    expense_schooling_fen  INTEGER NOT NULL CHECK (expense_schooling_fen >= 0),
    expense_housing_fen    INTEGER NOT NULL CHECK (expense_housing_fen >= 0),
    main_cause             TEXT    NOT NULL,
    secondary_causes       TEXT    NOT NULL,         -- comma-separated, at most three
    excl_car               INTEGER NOT NULL,         -- exclusion answers (SPEC §3.2), 0/1
    excl_homes             INTEGER NOT NULL,
    excl_shareholder       INTEGER NOT NULL,
    excl_child_abroad      INTEGER NOT NULL,
    excl_refused_checks    INTEGER NOT NULL,
    note                   TEXT    NOT NULL,
    -- category (SPEC §3.2): the suggestion computed on every save, and the category confirmed at filing
    suggested_category     TEXT    NOT NULL,
    category               TEXT    NOT NULL,         -- '' until filed
    category_policy_id     INTEGER NOT NULL REFERENCES policies (id),
    per_capita_fen         INTEGER NOT NULL,
    category_basis         TEXT    NOT NULL,         -- the arithmetic, in Chinese
    category_override      TEXT    NOT NULL,         -- the supervisor's reason when category differs from the suggestion
    -- lifecycle (SPEC §3.3)
    created_by             INTEGER NOT NULL,
    created_at             TEXT    NOT NULL,
    updated_at             TEXT    NOT NULL,
    submitted_by           INTEGER,
    submitted_at           TEXT,
    publicity_start        TEXT,
    publicity_end          TEXT,
    filed_by               INTEGER,
    first_filed_at         TEXT,
    filed_at               TEXT,                     -- last filing or annual review: review is due a year later
    exit_reason            TEXT    NOT NULL DEFAULT '',
    last_reason            TEXT    NOT NULL DEFAULT '', -- reason of the last return, rejection or exit
    reopened_from          INTEGER REFERENCES households (id),
    reopened_as            INTEGER REFERENCES households (id)
);
CREATE INDEX households_org_path ON households (org_path, updated_at);
CREATE INDEX households_status ON households (status, filed_at);
CREATE INDEX households_updated ON households (updated_at);
CREATE INDEX households_category ON households (category, updated_at);
CREATE INDEX households_cause ON households (main_cause);
CREATE INDEX households_industry ON households (industry);
CREATE INDEX households_migrant ON households (migrant) WHERE migrant = 1;
CREATE INDEX households_name ON households (head_name);

CREATE TABLE household_members (
    id                 INTEGER PRIMARY KEY,
    household_id       INTEGER NOT NULL REFERENCES households (id),
    seq                INTEGER NOT NULL,
    name               TEXT    NOT NULL,
    relation           TEXT    NOT NULL,
    id_number          TEXT    NOT NULL,
    birth_date         TEXT    NOT NULL,
    gender             TEXT    NOT NULL,
    health             TEXT    NOT NULL,
    disability         TEXT    NOT NULL,
    employment_status  TEXT    NOT NULL,
    school_stage       TEXT    NOT NULL,
    monthly_income_fen INTEGER NOT NULL CHECK (monthly_income_fen >= 0)
);
CREATE INDEX household_members_household ON household_members (household_id, seq);

-- Search terms (SPEC §9.2 q): "n:" + each character and each pair of adjacent characters of the head's name,
-- "i:" + every full ID number (head and members), "s:" + their last four digits, "p:" + the phone.
-- An index lookup replaces a LIKE '%x%' scan of a million rows.
CREATE TABLE household_terms (
    term         TEXT    NOT NULL,
    household_id INTEGER NOT NULL,
    PRIMARY KEY (term, household_id)
) WITHOUT ROWID;
CREATE INDEX household_terms_household ON household_terms (household_id);

-- One open file per ID number across heads and members district-wide (SPEC §3.3). The database itself refuses
-- a second one; a supervisor's override is stored with overridden = 1, which the unique index leaves out.
CREATE TABLE household_open_ids (
    id_number    TEXT    NOT NULL,
    household_id INTEGER NOT NULL REFERENCES households (id),
    overridden   INTEGER NOT NULL DEFAULT 0 CHECK (overridden IN (0, 1)),
    PRIMARY KEY (id_number, household_id)
) WITHOUT ROWID;
CREATE UNIQUE INDEX household_open_ids_one ON household_open_ids (id_number) WHERE overridden = 0;
CREATE INDEX household_open_ids_household ON household_open_ids (household_id);

-- A supervisor's permission for one more open file with an ID number that already has one; used once.
CREATE TABLE duplicate_overrides (
    id           INTEGER PRIMARY KEY,
    id_number    TEXT    NOT NULL,
    reason       TEXT    NOT NULL,
    granted_by   INTEGER NOT NULL REFERENCES users (id),
    granted_at   TEXT    NOT NULL,
    household_id INTEGER REFERENCES households (id)  -- the file that used it; NULL while unused
);
CREATE INDEX duplicate_overrides_unused ON duplicate_overrides (id_number) WHERE household_id IS NULL;

CREATE TABLE household_visits (
    id             INTEGER PRIMARY KEY,
    household_id   INTEGER NOT NULL REFERENCES households (id),
    visit_date     TEXT    NOT NULL,
    visitors       TEXT    NOT NULL,
    findings       TEXT    NOT NULL,
    consent_signed INTEGER NOT NULL CHECK (consent_signed IN (0, 1)),
    recorded_by    INTEGER NOT NULL,
    created_at     TEXT    NOT NULL
);
CREATE INDEX household_visits_household ON household_visits (household_id);

-- Objections raised during publicity (公示异议); an unresolved one blocks filing.
CREATE TABLE household_objections (
    id           INTEGER PRIMARY KEY,
    household_id INTEGER NOT NULL REFERENCES households (id),
    content      TEXT    NOT NULL,
    raised_by    TEXT    NOT NULL,   -- who objected, as told (may be anonymous)
    recorded_by  INTEGER NOT NULL,
    recorded_at  TEXT    NOT NULL,
    resolution   TEXT    NOT NULL DEFAULT '',
    upheld       INTEGER NOT NULL DEFAULT 0,
    resolved_by  INTEGER,
    resolved_at  TEXT
);
CREATE INDEX household_objections_household ON household_objections (household_id);

-- Documents: metadata and content apart, so lists never read blobs; content lives in the database so that
-- `bangfu backup` keeps it. Deletion is soft: the row and its content stay for audit.
CREATE TABLE household_documents (
    id            INTEGER PRIMARY KEY,
    household_id  INTEGER NOT NULL REFERENCES households (id),
    kind          TEXT    NOT NULL,
    filename      TEXT    NOT NULL,
    mime          TEXT    NOT NULL CHECK (mime IN ('image/jpeg', 'image/png', 'application/pdf')),
    size          INTEGER NOT NULL,
    sha256        TEXT    NOT NULL,
    uploaded_by   INTEGER NOT NULL,
    uploaded_at   TEXT    NOT NULL,
    deleted_by    INTEGER,
    deleted_at    TEXT,
    delete_reason TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX household_documents_household ON household_documents (household_id);
CREATE TABLE document_blobs (
    document_id INTEGER PRIMARY KEY REFERENCES household_documents (id),
    content     BLOB    NOT NULL
);
CREATE TRIGGER document_blobs_no_update BEFORE UPDATE ON document_blobs
BEGIN SELECT RAISE(ABORT, 'document content is kept as uploaded'); END;
CREATE TRIGGER document_blobs_no_delete BEFORE DELETE ON document_blobs
BEGIN SELECT RAISE(ABORT, 'document content is kept for audit'); END;

-- Public holidays (法定节假日) that publicity periods skip besides weekends; edited by admins.
CREATE TABLE holidays (
    date TEXT PRIMARY KEY,  -- "2026-05-01"
    name TEXT NOT NULL
) WITHOUT ROWID;

-- Referrals (转介, SPEC §3.4) of workers who miss the criteria to their grassroots union.
CREATE TABLE referrals (
    id             INTEGER PRIMARY KEY,
    household_id   INTEGER REFERENCES households (id),
    name           TEXT    NOT NULL,
    id_number      TEXT    NOT NULL,
    phone          TEXT    NOT NULL,
    org_id         INTEGER NOT NULL REFERENCES orgs (id),
    org_path       TEXT    NOT NULL,
    reason         TEXT    NOT NULL,
    follow_up_date TEXT    NOT NULL,
    status         TEXT    NOT NULL CHECK (status IN ('pending', 'helped', 'declined')),
    amount_fen     INTEGER NOT NULL DEFAULT 0 CHECK (amount_fen >= 0),
    outcome        TEXT    NOT NULL DEFAULT '',
    created_by     INTEGER NOT NULL,
    created_at     TEXT    NOT NULL,
    closed_by      INTEGER,
    closed_at      TEXT
);
CREATE INDEX referrals_org_path ON referrals (org_path, status, follow_up_date);
CREATE INDEX referrals_status ON referrals (status, follow_up_date);

-- migration 5: one-time passwords (SPEC §1.3)
-- A password someone else chose (the first start's admin password, an admin's create or reset) must be
-- changed by its user at first log-in; until then the user may only change it or log out.
ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0 CHECK (must_change_password IN (0, 1));

-- migration 6: household search at a million files (SPEC §10: p99 ≤ 20 ms)
-- A search term carries the org path of its household, so that "this name in my subtree" is one range of
-- household_terms_scope; triggers keep it equal to households.org_path whoever writes the terms.
ALTER TABLE household_terms ADD COLUMN org_path TEXT NOT NULL DEFAULT '';
UPDATE household_terms SET org_path = (SELECT h.org_path FROM households h WHERE h.id = household_terms.household_id);
CREATE INDEX household_terms_scope ON household_terms (term, org_path);
CREATE TRIGGER household_terms_org_path AFTER INSERT ON household_terms
BEGIN
    UPDATE household_terms SET org_path = (SELECT h.org_path FROM households h WHERE h.id = NEW.household_id)
    WHERE term = NEW.term AND household_id = NEW.household_id;
END;
CREATE TRIGGER households_terms_org_path AFTER UPDATE OF org_path ON households
BEGIN
    UPDATE household_terms SET org_path = NEW.org_path WHERE household_id = NEW.id;
END;
-- The list covers every filter column, so that a page or a count is read from an index without visiting rows:
-- households_scope in org-path order (a small subtree is one short range), households_recent in the default
-- order (a large subtree is walked newest first until the page is full). The single-column drivers narrow a
-- large subtree to one filter value; they replace the indexes of migration 4 that they extend.
DROP INDEX households_org_path;
DROP INDEX households_updated;
DROP INDEX households_category;
DROP INDEX households_cause;
DROP INDEX households_industry;
DROP INDEX households_migrant;
CREATE INDEX households_scope ON households (org_path, status, filed_at, category, main_cause, industry, migrant, updated_at);
CREATE INDEX households_recent ON households (updated_at, id, org_path, status, filed_at, category, main_cause, industry, migrant);
CREATE INDEX households_status_scope ON households (status, org_path, filed_at);
CREATE INDEX households_category_scope ON households (category, org_path);
CREATE INDEX households_cause_scope ON households (main_cause, org_path);
CREATE INDEX households_industry_scope ON households (industry, org_path);
CREATE INDEX households_migrant_scope ON households (migrant, org_path);
CREATE INDEX households_per_capita ON households (per_capita_fen);
CREATE INDEX households_filed ON households (filed_at);

-- migration 7: relief applications (SPEC §4)
-- One row per application (救助申请). Its money is one ledger transfer: approval reserves it (pending), the
-- disbursement posts it, a void releases it; transfer_id names it. Identity numbers are stored in full and
-- masked on every way out. beneficiary is "h:<household id>", or "p:<ID number>" for a holiday-duty worker
-- without a file (送温暖): the yearly caps and once-a-year rules count per beneficiary.
CREATE TABLE applications (
    id                  INTEGER PRIMARY KEY,
    app_no              TEXT    NOT NULL UNIQUE,              -- 申请编号 "JZ2026000123"
    type                TEXT    NOT NULL CHECK (type IN ('living', 'medical', 'education', 'warmth', 'condolence')),
    status              TEXT    NOT NULL CHECK (status IN ('draft', 'returned', 'submitted', 'first_approved', 'approved',
                                                           'disbursed', 'received', 'rejected', 'cancelled')),
    household_id        INTEGER REFERENCES households (id),
    beneficiary         TEXT    NOT NULL,
    applicant_name      TEXT    NOT NULL,
    applicant_id_number TEXT    NOT NULL,
    applicant_phone     TEXT    NOT NULL DEFAULT '',
    org_id              INTEGER NOT NULL REFERENCES orgs (id), -- the grassroots union whose money pays
    org_path            TEXT    NOT NULL,
    aid_year            INTEGER NOT NULL,                      -- the calendar year whose caps it counts against
    amount_fen          INTEGER NOT NULL CHECK (amount_fen > 0),
    out_of_pocket_fen   INTEGER NOT NULL DEFAULT 0 CHECK (out_of_pocket_fen >= 0), -- medical: stated with its receipts
    student_member_id   INTEGER REFERENCES household_members (id),                -- education
    student_id_number   TEXT    NOT NULL DEFAULT '',
    school_stage        TEXT    NOT NULL DEFAULT '',
    school_year         TEXT    NOT NULL DEFAULT '',           -- education: "2025-2026"
    duty_note           TEXT    NOT NULL DEFAULT '',           -- warmth without a file: the holiday duty
    purpose             TEXT    NOT NULL DEFAULT '',           -- 申请事由
    green               INTEGER NOT NULL DEFAULT 0 CHECK (green IN (0, 1)),
    green_reason        TEXT    NOT NULL DEFAULT '' CHECK (green_reason IN ('', 'pandemic', 'accident', 'critical_illness')),
    green_note          TEXT    NOT NULL DEFAULT '',
    opened_household    INTEGER NOT NULL DEFAULT 0 CHECK (opened_household IN (0, 1)), -- the file was opened alongside
    created_by          INTEGER NOT NULL,
    created_at          TEXT    NOT NULL,
    updated_at          TEXT    NOT NULL,
    submitted_by        INTEGER,
    submitted_at        TEXT,
    decide_by           TEXT,                                  -- the decision deadline: green_sla_hours, or 15 working days
    first_approved_by   INTEGER,
    first_approved_at   TEXT,
    approved_by         INTEGER,
    approved_at         TEXT,
    decided_at          TEXT,                                  -- approval or rejection: decision times (SPEC §4.3)
    policy_id           INTEGER REFERENCES policies (id),      -- the version the approval used
    transfer_id         INTEGER REFERENCES fund_transfers (id),
    docs_due            TEXT,                                  -- green: documents missing at approval are due by this date
    disbursed_by        INTEGER,
    disbursed_at        TEXT,
    voucher_no          TEXT    NOT NULL DEFAULT '',
    payment_method      TEXT    NOT NULL DEFAULT '' CHECK (payment_method IN ('', 'bank', 'cash')),
    received_at         TEXT,
    receipt_kind        TEXT    NOT NULL DEFAULT '' CHECK (receipt_kind IN ('', 'signature', 'bank_receipt')),
    receipt_ref         TEXT    NOT NULL DEFAULT '',
    reviewed_by         INTEGER,
    reviewed_at         TEXT,
    review_outcome      TEXT    NOT NULL DEFAULT '' CHECK (review_outcome IN ('', 'confirmed', 'flagged')),
    review_note         TEXT    NOT NULL DEFAULT '',
    recovered_by        INTEGER,                               -- a flagged green-channel payment taken back (追回)
    recovered_at        TEXT,
    recovery_transfer_id INTEGER REFERENCES fund_transfers (id), -- the reversing transfer
    last_reason         TEXT    NOT NULL DEFAULT '',
    CHECK (green = 0 OR green_reason <> ''),
    CHECK (type = 'warmth' OR household_id IS NOT NULL),
    -- SPEC §4.2: an approved application has its money reserved or paid.
    CHECK (status NOT IN ('approved', 'disbursed', 'received', 'cancelled') OR transfer_id IS NOT NULL)
);
CREATE INDEX applications_scope ON applications (org_path, status, type);
CREATE INDEX applications_status ON applications (status, green, decide_by);
CREATE INDEX applications_household ON applications (household_id, aid_year);
CREATE INDEX applications_beneficiary ON applications (beneficiary, aid_year, type, status);
CREATE INDEX applications_created ON applications (created_at);
CREATE INDEX applications_green_approved ON applications (approved_at) WHERE green = 1;
CREATE INDEX applications_applicant ON applications (applicant_id_number);
-- SPEC §4.1: 金秋助学 once per student per school year, 送温暖 once per beneficiary per year — among the
-- applications still alive, so that a returned, rejected or cancelled one does not count.
CREATE UNIQUE INDEX applications_education_once ON applications (student_id_number, school_year)
    WHERE type = 'education' AND status IN ('submitted', 'first_approved', 'approved', 'disbursed', 'received');
CREATE UNIQUE INDEX applications_warmth_once ON applications (beneficiary, aid_year)
    WHERE type = 'warmth' AND status IN ('submitted', 'first_approved', 'approved', 'disbursed', 'received');

-- Every decision keeps what it relied on (SPEC §4.2): the household as it was, the category, the policy
-- version, the caps and the amounts already paid, and each rule check with its numbers. Never changed.
CREATE TABLE application_decisions (
    id             INTEGER PRIMARY KEY,
    application_id INTEGER NOT NULL REFERENCES applications (id),
    action         TEXT    NOT NULL,       -- approve, return, reject, review
    outcome        TEXT    NOT NULL,       -- the status it led to, or confirmed/flagged for a review
    actor_id       INTEGER NOT NULL,
    actor_name     TEXT    NOT NULL,
    at             TEXT    NOT NULL,
    reason         TEXT    NOT NULL DEFAULT '',
    policy_id      INTEGER REFERENCES policies (id),
    snapshot       TEXT    NOT NULL        -- JSON, masked
);
CREATE INDEX application_decisions_application ON application_decisions (application_id, id);
CREATE TRIGGER application_decisions_no_update BEFORE UPDATE ON application_decisions
BEGIN SELECT RAISE(ABORT, 'a decision snapshot is kept as made'); END;
CREATE TRIGGER application_decisions_no_delete BEFORE DELETE ON application_decisions
BEGIN SELECT RAISE(ABORT, 'a decision snapshot is kept as made'); END;

-- migration 8: district-wide household search (SPEC §10: p99 ≤ 20 ms at a million files)
-- For a user whose scope is every household, search drops the org-path range (internal/household), so a status
-- is narrowed by this index alone: it holds every filter column, so that counting a status with other filters
-- reads no rows, and (filed_at, id) follow the status, so that a status in filing-date order is a walk.
CREATE INDEX households_status_filed ON households (status, filed_at, id, category, main_cause, industry, migrant, org_path);

-- migration 9: signed audit checkpoints (SPEC §7)
-- Each row is a head of the audit chain (sequence number and hash) signed with the instance's Ed25519 key at
-- signed_at, as printed for filing on paper. The paper copy is what proves the log only grew; these rows list
-- what was taken. Never changed.
CREATE TABLE audit_checkpoints (
    id         INTEGER PRIMARY KEY,
    seq        INTEGER NOT NULL CHECK (seq >= 0),
    head_hash  TEXT    NOT NULL,
    signed_at  TEXT    NOT NULL,              -- "2026-03-10T01:00:00Z", as signed
    public_key TEXT    NOT NULL,              -- hex
    signature  TEXT    NOT NULL,              -- hex, over seq, head_hash, signed_at and public_key
    actor_id   INTEGER,
    actor      TEXT    NOT NULL,
    org_path   TEXT    NOT NULL,
    created_at TEXT    NOT NULL
);
CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints
BEGIN SELECT RAISE(ABORT, 'a checkpoint is kept as signed'); END;
CREATE TRIGGER audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints
BEGIN SELECT RAISE(ABORT, 'a checkpoint is kept as signed'); END;

-- migration 10: survey-list imports (SPEC §8.3)
-- One row per finished import, dry or real: the file's name and SHA-256, the counts, and the report (JSON,
-- identity numbers masked) that the imports page shows and offers as a workbook. A real run writes its row in
-- the same transaction as its households, so a run cut short leaves no row.
CREATE TABLE imports (
    id           INTEGER PRIMARY KEY,
    file_name    TEXT    NOT NULL,
    sha256       TEXT    NOT NULL,
    size         INTEGER NOT NULL,
    format       TEXT    NOT NULL,
    dry_run      INTEGER NOT NULL CHECK (dry_run IN (0, 1)),
    state        TEXT    NOT NULL CHECK (state IN ('done', 'refused')),
    org_path     TEXT    NOT NULL,           -- the importer's scope: who may read the report
    created_by   INTEGER NOT NULL REFERENCES users (id),
    created_at   TEXT    NOT NULL,
    rows_total   INTEGER NOT NULL,
    rows_refused INTEGER NOT NULL,
    households   INTEGER NOT NULL,
    created      INTEGER NOT NULL,
    updated      INTEGER NOT NULL,
    unchanged    INTEGER NOT NULL,
    review       INTEGER NOT NULL,
    report       TEXT    NOT NULL
);
CREATE INDEX imports_scope ON imports (org_path, id);

-- migration 11: household search by name with any filter at a million files (SPEC §10: p99 ≤ 20 ms)
-- A name term ("n:…", and "n:" alone, which every household has, for a list without q) carries its household's
-- filter columns and sort keys, so that a name, with or without filters, is counted and paged from one index range
-- without reading households: household_terms_filter leads with the filter columns after the term (the district's
-- search seeks each filter value), household_terms_scope with the org path (a subtree is one range of it). ID and
-- phone terms keep only org_path: they match a handful. Triggers fill the columns when a writer leaves them out and
-- follow every change of the household, whoever writes it.
ALTER TABLE household_terms ADD COLUMN status TEXT NOT NULL DEFAULT '';
ALTER TABLE household_terms ADD COLUMN migrant INTEGER NOT NULL DEFAULT 0;
ALTER TABLE household_terms ADD COLUMN category TEXT NOT NULL DEFAULT '';
ALTER TABLE household_terms ADD COLUMN industry TEXT NOT NULL DEFAULT '';
ALTER TABLE household_terms ADD COLUMN main_cause TEXT NOT NULL DEFAULT '';
ALTER TABLE household_terms ADD COLUMN filed_at TEXT;
ALTER TABLE household_terms ADD COLUMN updated_at TEXT NOT NULL DEFAULT '';
ALTER TABLE household_terms ADD COLUMN per_capita_fen INTEGER NOT NULL DEFAULT 0;
ALTER TABLE household_terms ADD COLUMN head_name TEXT NOT NULL DEFAULT '';
ALTER TABLE household_terms ADD COLUMN file_no TEXT NOT NULL DEFAULT '';
INSERT OR IGNORE INTO household_terms (term, household_id, org_path) SELECT 'n:', id, org_path FROM households;
UPDATE household_terms SET (status, migrant, category, industry, main_cause, filed_at, updated_at, per_capita_fen, head_name,
    file_no) = (SELECT h.status, h.migrant, h.category, h.industry, h.main_cause, h.filed_at, h.updated_at, h.per_capita_fen,
    h.head_name, h.file_no FROM households h WHERE h.id = household_terms.household_id)
WHERE term >= 'n:' AND term < 'n;';
DROP INDEX household_terms_scope;
CREATE INDEX household_terms_scope ON household_terms (term, org_path, status, filed_at, migrant, category, industry,
    main_cause, updated_at, per_capita_fen, head_name, file_no);
CREATE INDEX household_terms_filter ON household_terms (term, status, migrant, category, industry, main_cause, filed_at,
    updated_at, per_capita_fen, head_name, file_no, org_path);
DROP TRIGGER household_terms_org_path;
CREATE TRIGGER household_terms_org_path AFTER INSERT ON household_terms WHEN NEW.org_path = ''
BEGIN
    UPDATE household_terms SET org_path = (SELECT h.org_path FROM households h WHERE h.id = NEW.household_id)
    WHERE term = NEW.term AND household_id = NEW.household_id;
END;
CREATE TRIGGER household_terms_names AFTER INSERT ON household_terms
WHEN NEW.updated_at = '' AND NEW.term >= 'n:' AND NEW.term < 'n;'
BEGIN
    UPDATE household_terms SET (status, migrant, category, industry, main_cause, filed_at, updated_at, per_capita_fen,
        head_name, file_no) = (SELECT h.status, h.migrant, h.category, h.industry, h.main_cause, h.filed_at, h.updated_at,
        h.per_capita_fen, h.head_name, h.file_no FROM households h WHERE h.id = NEW.household_id)
    WHERE term = NEW.term AND household_id = NEW.household_id;
END;
CREATE TRIGGER households_terms_names AFTER UPDATE OF status, migrant, category, industry, main_cause, filed_at, updated_at,
    per_capita_fen, head_name, file_no ON households
BEGIN
    UPDATE household_terms SET status = NEW.status, migrant = NEW.migrant, category = NEW.category, industry = NEW.industry,
        main_cause = NEW.main_cause, filed_at = NEW.filed_at, updated_at = NEW.updated_at, per_capita_fen = NEW.per_capita_fen,
        head_name = NEW.head_name, file_no = NEW.file_no
    WHERE household_id = NEW.id AND term >= 'n:' AND term < 'n;';
END;

-- migration 12: a recovered payment leaves the workflow (issue 15 item 7)
-- A flagged green-channel payment taken back (追回) gets its own status, recovered, instead of keeping disbursed
-- or received. SQLite cannot change a CHECK, so the table is rebuilt: copied aside, dropped and created again,
-- and its rows put back. The decisions that reference it stay valid: with foreign keys deferred, dropping the
-- table counts their references as broken and putting the rows back counts them as mended before the commit.
PRAGMA defer_foreign_keys = ON;
CREATE TEMP TABLE applications_before_12 AS SELECT * FROM applications;
DROP TABLE applications;
CREATE TABLE applications (
    id                  INTEGER PRIMARY KEY,
    app_no              TEXT    NOT NULL UNIQUE,              -- 申请编号 "JZ2026000123"
    type                TEXT    NOT NULL CHECK (type IN ('living', 'medical', 'education', 'warmth', 'condolence')),
    status              TEXT    NOT NULL CHECK (status IN ('draft', 'returned', 'submitted', 'first_approved', 'approved',
                                                           'disbursed', 'received', 'rejected', 'cancelled', 'recovered')),
    household_id        INTEGER REFERENCES households (id),
    beneficiary         TEXT    NOT NULL,
    applicant_name      TEXT    NOT NULL,
    applicant_id_number TEXT    NOT NULL,
    applicant_phone     TEXT    NOT NULL DEFAULT '',
    org_id              INTEGER NOT NULL REFERENCES orgs (id), -- the grassroots union whose money pays
    org_path            TEXT    NOT NULL,
    aid_year            INTEGER NOT NULL,                      -- the calendar year whose caps it counts against
    amount_fen          INTEGER NOT NULL CHECK (amount_fen > 0),
    out_of_pocket_fen   INTEGER NOT NULL DEFAULT 0 CHECK (out_of_pocket_fen >= 0), -- medical: stated with its receipts
    student_member_id   INTEGER REFERENCES household_members (id),                -- education
    student_id_number   TEXT    NOT NULL DEFAULT '',
    school_stage        TEXT    NOT NULL DEFAULT '',
    school_year         TEXT    NOT NULL DEFAULT '',           -- education: "2025-2026"
    duty_note           TEXT    NOT NULL DEFAULT '',           -- warmth without a file: the holiday duty
    purpose             TEXT    NOT NULL DEFAULT '',           -- 申请事由
    green               INTEGER NOT NULL DEFAULT 0 CHECK (green IN (0, 1)),
    green_reason        TEXT    NOT NULL DEFAULT '' CHECK (green_reason IN ('', 'pandemic', 'accident', 'critical_illness')),
    green_note          TEXT    NOT NULL DEFAULT '',
    opened_household    INTEGER NOT NULL DEFAULT 0 CHECK (opened_household IN (0, 1)), -- the file was opened alongside
    created_by          INTEGER NOT NULL,
    created_at          TEXT    NOT NULL,
    updated_at          TEXT    NOT NULL,
    submitted_by        INTEGER,
    submitted_at        TEXT,
    decide_by           TEXT,                                  -- the decision deadline: green_sla_hours, or 15 working days
    first_approved_by   INTEGER,
    first_approved_at   TEXT,
    approved_by         INTEGER,
    approved_at         TEXT,
    decided_at          TEXT,                                  -- approval or rejection: decision times (SPEC §4.3)
    policy_id           INTEGER REFERENCES policies (id),      -- the version the approval used
    transfer_id         INTEGER REFERENCES fund_transfers (id),
    docs_due            TEXT,                                  -- green: documents missing at approval are due by this date
    disbursed_by        INTEGER,
    disbursed_at        TEXT,
    voucher_no          TEXT    NOT NULL DEFAULT '',
    payment_method      TEXT    NOT NULL DEFAULT '' CHECK (payment_method IN ('', 'bank', 'cash')),
    received_at         TEXT,
    receipt_kind        TEXT    NOT NULL DEFAULT '' CHECK (receipt_kind IN ('', 'signature', 'bank_receipt')),
    receipt_ref         TEXT    NOT NULL DEFAULT '',
    reviewed_by         INTEGER,
    reviewed_at         TEXT,
    review_outcome      TEXT    NOT NULL DEFAULT '' CHECK (review_outcome IN ('', 'confirmed', 'flagged')),
    review_note         TEXT    NOT NULL DEFAULT '',
    recovered_by        INTEGER,                               -- a flagged green-channel payment taken back (追回)
    recovered_at        TEXT,
    recovery_transfer_id INTEGER REFERENCES fund_transfers (id), -- the reversing transfer
    last_reason         TEXT    NOT NULL DEFAULT '',
    CHECK (green = 0 OR green_reason <> ''),
    CHECK (type = 'warmth' OR household_id IS NOT NULL),
    -- SPEC §4.2: an approved application has its money reserved or paid.
    CHECK (status NOT IN ('approved', 'disbursed', 'received', 'cancelled', 'recovered') OR transfer_id IS NOT NULL),
    CHECK (status <> 'recovered' OR recovery_transfer_id IS NOT NULL)
);
INSERT INTO applications SELECT * FROM temp.applications_before_12;
DROP TABLE temp.applications_before_12;
UPDATE applications SET status = 'recovered' WHERE recovered_at IS NOT NULL;
CREATE INDEX applications_scope ON applications (org_path, status, type);
CREATE INDEX applications_status ON applications (status, green, decide_by);
CREATE INDEX applications_household ON applications (household_id, aid_year);
CREATE INDEX applications_beneficiary ON applications (beneficiary, aid_year, type, status);
CREATE INDEX applications_created ON applications (created_at);
CREATE INDEX applications_green_approved ON applications (approved_at) WHERE green = 1;
CREATE INDEX applications_applicant ON applications (applicant_id_number);
-- SPEC §4.1: once per student per school year, once per beneficiary per year, among the applications still
-- alive; a recovered one still counts, as it did while it kept its disbursed or received status.
CREATE UNIQUE INDEX applications_education_once ON applications (student_id_number, school_year)
    WHERE type = 'education' AND status IN ('submitted', 'first_approved', 'approved', 'disbursed', 'received', 'recovered');
CREATE UNIQUE INDEX applications_warmth_once ON applications (beneficiary, aid_year)
    WHERE type = 'warmth' AND status IN ('submitted', 'first_approved', 'approved', 'disbursed', 'received', 'recovered');

-- migration 13: a log-in lock-out that a stranger cannot aim (SPEC §1.3, issue 15 item 4): failures slow an
-- account down per client address; only many failures from everywhere lock the name itself, known or not.
CREATE INDEX login_failures_user_addr_at ON login_failures (username, client_addr, at);
CREATE TABLE login_locks (
    username  TEXT PRIMARY KEY COLLATE NOCASE,
    until     TEXT    NOT NULL,
    failures  INTEGER NOT NULL,
    locked_at TEXT    NOT NULL
);
-- The lock moves from the users row to login_locks, which also holds names that do not exist.
INSERT INTO login_locks (username, until, failures, locked_at)
    SELECT username, locked_until, 0, locked_until FROM users WHERE locked_until IS NOT NULL;

-- migration 14: campaigns (SPEC §5): 送清凉 cooling goods from purchase to a confirmed delivery, 免费体检 enrolments
-- A campaign draws on one budget account (a budget line or a grassroots allocation of its kind, 专款专用) and owns
-- an expense account for what it spends. Goods live in the ledger: each good has a stock account in its unit; a
-- purchase is two posted transfers (money: budget → expense; goods: outside → stock), a delivery one per good
-- (stock → the good's expense), so stock can never go negative (the ledger's overspend rule). Purchases and
-- deliveries are never edited or deleted: a correction is a reversing transfer named on the row.
CREATE TABLE campaigns (
    id                 INTEGER PRIMARY KEY,
    kind               TEXT    NOT NULL CHECK (kind IN ('cooling', 'health_check', 'warmth')),
    name               TEXT    NOT NULL,
    status             TEXT    NOT NULL CHECK (status IN ('draft', 'open', 'closed')),
    starts_on          TEXT    NOT NULL,
    ends_on            TEXT    NOT NULL CHECK (ends_on >= starts_on),
    org_id             INTEGER NOT NULL REFERENCES orgs (id),            -- the scope: this org's subtree
    org_path           TEXT    NOT NULL,
    budget_account_id  INTEGER NOT NULL REFERENCES fund_accounts (id),   -- a budget line or an allocation
    expense_account_id INTEGER NOT NULL REFERENCES fund_accounts (id),   -- what the campaign spent, in fen
    provider           TEXT    NOT NULL DEFAULT '',                      -- health check: the clinic
    price_fen          INTEGER NOT NULL DEFAULT 0 CHECK (price_fen >= 0), -- health check: price per check
    note               TEXT    NOT NULL DEFAULT '',
    created_by         INTEGER NOT NULL,
    created_at         TEXT    NOT NULL,
    opened_by          INTEGER,
    opened_at          TEXT,
    closed_by          INTEGER,
    closed_at          TEXT
);
CREATE INDEX campaigns_scope ON campaigns (org_path, status, kind);

CREATE TABLE campaign_goods (
    id               INTEGER PRIMARY KEY,
    campaign_id      INTEGER NOT NULL REFERENCES campaigns (id),
    name             TEXT    NOT NULL,
    unit             TEXT    NOT NULL,
    unit_price_fen   INTEGER NOT NULL CHECK (unit_price_fen > 0),
    stock_account_id INTEGER NOT NULL REFERENCES fund_accounts (id),
    issue_account_id INTEGER NOT NULL REFERENCES fund_accounts (id),    -- goods delivered (expense, in units)
    created_by       INTEGER NOT NULL,
    created_at       TEXT    NOT NULL,
    UNIQUE (campaign_id, name)
);

CREATE TABLE campaign_purchases (
    id                  INTEGER PRIMARY KEY,
    campaign_id         INTEGER NOT NULL REFERENCES campaigns (id),
    good_id             INTEGER NOT NULL REFERENCES campaign_goods (id),
    supplier            TEXT    NOT NULL,
    invoice_no          TEXT    NOT NULL,
    quantity            INTEGER NOT NULL CHECK (quantity > 0),
    cost_fen            INTEGER NOT NULL CHECK (cost_fen > 0),
    purchased_on        TEXT    NOT NULL,
    money_transfer_id   INTEGER NOT NULL REFERENCES fund_transfers (id),
    goods_transfer_id   INTEGER NOT NULL REFERENCES fund_transfers (id),
    created_by          INTEGER NOT NULL,
    created_at          TEXT    NOT NULL,
    reversed_at         TEXT,                                          -- a correction: both transfers reversed
    reversed_by         INTEGER,
    reverse_reason      TEXT    NOT NULL DEFAULT ''
);
-- The same invoice of a supplier is booked once.
CREATE UNIQUE INDEX campaign_purchases_invoice ON campaign_purchases (supplier, invoice_no);
CREATE INDEX campaign_purchases_campaign ON campaign_purchases (campaign_id);

CREATE TABLE campaign_deliveries (
    id               INTEGER PRIMARY KEY,
    delivery_no      TEXT    NOT NULL UNIQUE,                           -- 配送单号 "SQL2026000012"
    campaign_id      INTEGER NOT NULL REFERENCES campaigns (id),
    org_id           INTEGER NOT NULL REFERENCES orgs (id),             -- the site's union, or the recorder's org
    org_path         TEXT    NOT NULL,
    site_org_id      INTEGER REFERENCES orgs (id),                      -- a site that is a grassroots union
    site_kind        TEXT    NOT NULL CHECK (site_kind IN ('org', 'site', 'rest_station')),
    site_name        TEXT    NOT NULL,
    site_address     TEXT    NOT NULL DEFAULT '',
    outdoor          INTEGER NOT NULL CHECK (outdoor IN (0, 1)),        -- outdoor or high-heat work (户外/高温)
    workers          INTEGER NOT NULL CHECK (workers > 0),
    delivered_on     TEXT    NOT NULL,
    receiver_name    TEXT    NOT NULL,
    receiver_phone   TEXT    NOT NULL DEFAULT '',
    value_fen        INTEGER NOT NULL CHECK (value_fen >= 0),
    status           TEXT    NOT NULL CHECK (status IN ('unconfirmed', 'confirmed', 'reversed')),
    code_hash        TEXT    UNIQUE,                                    -- SHA-256 of the one-time code
    code_expires_at  TEXT,
    confirm_method   TEXT    NOT NULL DEFAULT '' CHECK (confirm_method IN ('', 'signature', 'code')),
    signature_ref    TEXT    NOT NULL DEFAULT '',
    confirmed_at     TEXT,
    confirmed_by     INTEGER,
    confirm_addr     TEXT    NOT NULL DEFAULT '',
    created_by       INTEGER NOT NULL,
    created_at       TEXT    NOT NULL,
    reversed_at      TEXT,
    reversed_by      INTEGER,
    reverse_reason   TEXT    NOT NULL DEFAULT '',
    CHECK ((site_kind = 'org') = (site_org_id IS NOT NULL)),
    CHECK (status <> 'confirmed' OR confirmed_at IS NOT NULL)
);
CREATE INDEX campaign_deliveries_campaign ON campaign_deliveries (campaign_id, org_path, status);
CREATE INDEX campaign_deliveries_scope ON campaign_deliveries (org_path);

CREATE TABLE campaign_delivery_items (
    delivery_id INTEGER NOT NULL REFERENCES campaign_deliveries (id),
    good_id     INTEGER NOT NULL REFERENCES campaign_goods (id),
    quantity    INTEGER NOT NULL CHECK (quantity > 0),
    value_fen   INTEGER NOT NULL CHECK (value_fen >= 0),
    transfer_id INTEGER NOT NULL REFERENCES fund_transfers (id),
    PRIMARY KEY (delivery_id, good_id)
) WITHOUT ROWID;

-- Health checks: a quota per grassroots union, and one enrolment per worker per campaign among those alive.
CREATE TABLE campaign_quotas (
    campaign_id INTEGER NOT NULL REFERENCES campaigns (id),
    org_id      INTEGER NOT NULL REFERENCES orgs (id),
    quota       INTEGER NOT NULL CHECK (quota >= 0),
    PRIMARY KEY (campaign_id, org_id)
) WITHOUT ROWID;

CREATE TABLE campaign_enrolments (
    id            INTEGER PRIMARY KEY,
    campaign_id   INTEGER NOT NULL REFERENCES campaigns (id),
    org_id        INTEGER NOT NULL REFERENCES orgs (id),
    org_path      TEXT    NOT NULL,
    name          TEXT    NOT NULL,
    id_number     TEXT    NOT NULL,
    phone         TEXT    NOT NULL DEFAULT '',
    migrant       INTEGER NOT NULL CHECK (migrant IN (0, 1)),
    household_id  INTEGER REFERENCES households (id),                  -- an open file with this ID number, if any
    status        TEXT    NOT NULL CHECK (status IN ('enrolled', 'checked', 'report_delivered', 'withdrawn')),
    checked_on    TEXT,
    report_on     TEXT,
    transfer_id   INTEGER REFERENCES fund_transfers (id),             -- the check's cost, posted when checked
    created_by    INTEGER NOT NULL,
    created_at    TEXT    NOT NULL,
    updated_at    TEXT    NOT NULL,
    withdraw_reason TEXT  NOT NULL DEFAULT '',
    CHECK (status NOT IN ('checked', 'report_delivered') OR (checked_on IS NOT NULL AND transfer_id IS NOT NULL))
);
CREATE UNIQUE INDEX campaign_enrolments_once ON campaign_enrolments (campaign_id, id_number) WHERE status <> 'withdrawn';
CREATE INDEX campaign_enrolments_quota ON campaign_enrolments (campaign_id, org_id, status);
CREATE INDEX campaign_enrolments_scope ON campaign_enrolments (org_path);

CREATE TRIGGER campaign_purchases_no_delete BEFORE DELETE ON campaign_purchases
BEGIN SELECT RAISE(ABORT, 'purchases are never deleted: reverse them'); END;
CREATE TRIGGER campaign_deliveries_no_delete BEFORE DELETE ON campaign_deliveries
BEGIN SELECT RAISE(ABORT, 'deliveries are never deleted: reverse them'); END;
CREATE TRIGGER campaign_delivery_items_fixed BEFORE UPDATE ON campaign_delivery_items
BEGIN SELECT RAISE(ABORT, 'delivery items do not change'); END;
CREATE TRIGGER campaign_delivery_items_no_delete BEFORE DELETE ON campaign_delivery_items
BEGIN SELECT RAISE(ABORT, 'delivery items are never deleted'); END;

-- migration 15: the disbursement register at a million payments (SPEC §8.2; first page p99 ≤ 50 ms)
-- Above its first page the register shows the count and sum of every payment its filter matches; counting a
-- million rows on every page view is too slow. payment_totals holds those sums per union (by path), China
-- calendar day, type, status, green and paying account (the debit account of the application's transfer),
-- kept by the triggers below in the same statement that changes an application, so it is always exactly the
-- GROUP BY of the paid applications (finaudit's tests compare the two). Rows that fall to zero stay; readers
-- drop them with HAVING.
CREATE TABLE payment_totals (
    org_path   TEXT    NOT NULL,
    day        TEXT    NOT NULL,
    type       TEXT    NOT NULL,
    status     TEXT    NOT NULL,
    green      INTEGER NOT NULL,
    account_id INTEGER NOT NULL,
    n          INTEGER NOT NULL,
    fen        INTEGER NOT NULL,
    PRIMARY KEY (org_path, day, type, status, green, account_id)
) WITHOUT ROWID;
INSERT INTO payment_totals (org_path, day, type, status, green, account_id, n, fen)
    SELECT a.org_path, coalesce(date(a.disbursed_at, '+8 hours'), ''), a.type, a.status, a.green, coalesce(t.debit_account_id, 0),
           count(*), sum(a.amount_fen)
    FROM applications a LEFT JOIN fund_transfers t ON t.id = a.transfer_id
    WHERE a.status IN ('disbursed', 'received', 'recovered') GROUP BY 1, 2, 3, 4, 5, 6;
CREATE TRIGGER payment_totals_insert AFTER INSERT ON applications
WHEN NEW.status IN ('disbursed', 'received', 'recovered')
BEGIN
    INSERT INTO payment_totals (org_path, day, type, status, green, account_id, n, fen)
    VALUES (NEW.org_path, coalesce(date(NEW.disbursed_at, '+8 hours'), ''), NEW.type, NEW.status, NEW.green,
            coalesce((SELECT debit_account_id FROM fund_transfers WHERE id = NEW.transfer_id), 0), 1, NEW.amount_fen)
    ON CONFLICT DO UPDATE SET n = n + 1, fen = fen + excluded.fen;
END;
CREATE TRIGGER payment_totals_leave AFTER UPDATE OF status, disbursed_at, type, green, org_path, amount_fen, transfer_id ON applications
WHEN OLD.status IN ('disbursed', 'received', 'recovered')
BEGIN
    UPDATE payment_totals SET n = n - 1, fen = fen - OLD.amount_fen
    WHERE org_path = OLD.org_path AND day = coalesce(date(OLD.disbursed_at, '+8 hours'), '') AND type = OLD.type
      AND status = OLD.status AND green = OLD.green
      AND account_id = coalesce((SELECT debit_account_id FROM fund_transfers WHERE id = OLD.transfer_id), 0);
END;
CREATE TRIGGER payment_totals_enter AFTER UPDATE OF status, disbursed_at, type, green, org_path, amount_fen, transfer_id ON applications
WHEN NEW.status IN ('disbursed', 'received', 'recovered')
BEGIN
    INSERT INTO payment_totals (org_path, day, type, status, green, account_id, n, fen)
    VALUES (NEW.org_path, coalesce(date(NEW.disbursed_at, '+8 hours'), ''), NEW.type, NEW.status, NEW.green,
            coalesce((SELECT debit_account_id FROM fund_transfers WHERE id = NEW.transfer_id), 0), 1, NEW.amount_fen)
    ON CONFLICT DO UPDATE SET n = n + 1, fen = fen + excluded.fen;
END;
-- The register's pages, newest payment first, read this index in order and filter inside it.
CREATE INDEX applications_paid ON applications (disbursed_at, id, org_path, type, green, transfer_id)
    WHERE status IN ('disbursed', 'received', 'recovered');

-- migration 16: warmth campaigns (SPEC §5, issue 10 item 4): a 送温暖 campaign's list of households and
-- holiday-duty workers, each a warmth application of the relief area (which keeps every rule: once per
-- household per year, the yearly caps). One row per beneficiary per campaign makes a second run of the list
-- change nothing; the rows are the list and are never edited or deleted.
CREATE TABLE campaign_warmth (
    campaign_id    INTEGER NOT NULL REFERENCES campaigns (id),
    beneficiary    TEXT    NOT NULL,                       -- as applications.beneficiary: 'h:<household>' or 'p:<ID number>'
    application_id INTEGER NOT NULL REFERENCES applications (id),
    household_id   INTEGER REFERENCES households (id),     -- NULL for a holiday-duty worker without a file
    org_id         INTEGER NOT NULL REFERENCES orgs (id),
    org_path       TEXT    NOT NULL,
    created_by     INTEGER NOT NULL,
    created_at     TEXT    NOT NULL,
    PRIMARY KEY (campaign_id, beneficiary)
) WITHOUT ROWID;
CREATE UNIQUE INDEX campaign_warmth_application ON campaign_warmth (application_id);
CREATE INDEX campaign_warmth_scope ON campaign_warmth (campaign_id, org_path);
CREATE TRIGGER campaign_warmth_fixed BEFORE UPDATE ON campaign_warmth
BEGIN SELECT RAISE(ABORT, 'a warmth list entry does not change'); END;
CREATE TRIGGER campaign_warmth_no_delete BEFORE DELETE ON campaign_warmth
BEGIN SELECT RAISE(ABORT, 'a warmth list entry is never deleted'); END;

-- migration 17: the anomaly report's segregation rule at a million payments (SPEC §8.2)
-- The rule reads who decided what on every application; this index holds those columns, so the report walks
-- it instead of the decision rows, whose snapshots make them a hundred times wider.
CREATE INDEX application_decisions_actors ON application_decisions (application_id, id, action, outcome, actor_id);

-- migration 18: household search with any filters at a million files, reliably (SPEC §10: p99 ≤ 20 ms)
-- household_terms_filter (migration 11) relied on SQLite seeking its leading filter columns with IN lists of every
-- value; once ANALYZE has counted a column's few values the planner stops seeking it, and a district list with one
-- cause read every household (0.4–3 s). The filter columns are now also one number, sig, each a digit in it
-- (household.sigOf spells the same codes out in Go; unknown values share the digit 0): a search seeks the term and
-- the exact sig values its filters allow, one IN list on one column, which the planner always seeks. The index
-- holds every sort key, so that a page of at most 10,000 matches is sorted inside it. household_terms_name holds
-- a name term's households in name order with their filter columns, so that a page by name of a term matching
-- more than 10,000 (王, or no q at all) reads it in order and stops at the page. Both hold only name terms.
ALTER TABLE household_terms ADD COLUMN sig INTEGER GENERATED ALWAYS AS (((((
    CASE status WHEN 'draft' THEN 1 WHEN 'submitted' THEN 2 WHEN 'visited' THEN 3 WHEN 'publicizing' THEN 4
        WHEN 'filed' THEN 5 WHEN 'exited' THEN 6 WHEN 'rejected' THEN 7 ELSE 0 END) * 8
    + CASE category WHEN 'deep' THEN 1 WHEN 'relative' THEN 2 WHEN 'accident' THEN 3 WHEN 'ineligible' THEN 4 ELSE 0 END) * 2
    + (migrant != 0)) * 8
    + CASE industry WHEN 'catering' THEN 1 WHEN 'accommodation' THEN 2 WHEN 'retail' THEN 3 WHEN 'manufacturing' THEN 4
        WHEN 'construction' THEN 5 WHEN 'logistics' THEN 6 WHEN 'other' THEN 7 ELSE 0 END) * 16
    + CASE main_cause WHEN 'illness' THEN 1 WHEN 'disability' THEN 2 WHEN 'unemployment' THEN 3 WHEN 'laid_off' THEN 4
        WHEN 'schooling' THEN 5 WHEN 'disaster' THEN 6 WHEN 'accident' THEN 7 WHEN 'pandemic' THEN 8
        WHEN 'zero_employment' THEN 9 WHEN 'other' THEN 10 ELSE 0 END) VIRTUAL;
DROP INDEX household_terms_filter;
CREATE INDEX household_terms_sig ON household_terms (term, sig, status, filed_at, migrant, category, industry, main_cause,
    updated_at, per_capita_fen, head_name, file_no, org_path) WHERE term >= 'n:' AND term < 'n;';
CREATE INDEX household_terms_name ON household_terms (term, head_name, household_id, org_path, status, filed_at, migrant,
    category, industry, main_cause) WHERE term >= 'n:' AND term < 'n;';

-- migration 19: the dashboard at a million households (SPEC §8.1, issue 12): its counts of open files by status
-- and category read an index that holds exactly those columns in that order, so the district's count is one
-- ordered pass over a narrow index with no sort; a sub-district's or a community's reads households_scope.
-- The year's applications by type, status and green are counted from an index that covers them.
CREATE INDEX households_dashboard ON households (status, category, filed_at);
CREATE INDEX applications_dashboard ON applications (aid_year, org_path, type, status, green, amount_fen);

-- migration 20: the publicity rounds (公示批次, SPEC §8.1) and a round's list read the households whose publicity
-- began on a day without reading every file
CREATE INDEX households_publicity ON households (publicity_start, org_path) WHERE publicity_start IS NOT NULL;

-- migration 21: an ID number's search term is its digits reversed (SPEC §10: p99 ≤ 20 ms at a million files)
-- "i:" + the number and "s:" + its last four digits become one term, "r:" + the number read backwards: the numbers
-- that end in any digits a caseworker types (the last 4, 6, 8, the whole) are then one range of household_terms,
-- each entry a match, where the "s:" term gave every number with the same last four to check against the
-- household's and members' rows (200 at a million). One term per number instead of two is also less to write.
INSERT OR IGNORE INTO household_terms (term, household_id, org_path)
SELECT 'r:' || substr(term, 20, 1) || substr(term, 19, 1) || substr(term, 18, 1) || substr(term, 17, 1) || substr(term, 16, 1) || substr(term, 15, 1) || substr(term, 14, 1) || substr(term, 13, 1) || substr(term, 12, 1) || substr(term, 11, 1) || substr(term, 10, 1) || substr(term, 9, 1) || substr(term, 8, 1) || substr(term, 7, 1) || substr(term, 6, 1) || substr(term, 5, 1) || substr(term, 4, 1) || substr(term, 3, 1), household_id, org_path
FROM household_terms WHERE term >= 'i:' AND term < 'i;';
DELETE FROM household_terms WHERE term >= 'i:' AND term < 'i;';
DELETE FROM household_terms WHERE term >= 's:' AND term < 's;';

-- migration 22: import jobs outlive the server (SPEC §8.3, issue 13)
-- One row per upload, dry or real, from the moment it starts: whose it is, its state and last saved progress,
-- its counts, and where its report is — the imports row of a written run (import_id), or the report itself
-- (JSON, masked) for a run that wrote nothing. upload is the uploaded file while it is kept (to run a passed dry
-- run for real, or to highlight the refused cells), '' once removed. A real run marks its row done in its own
-- transaction; a row still running when a server starts was cut short by a stop and is failed as interrupted.
CREATE TABLE import_jobs (
    id           INTEGER PRIMARY KEY,
    owner        INTEGER NOT NULL REFERENCES users (id),
    org_path     TEXT    NOT NULL,
    state        TEXT    NOT NULL CHECK (state IN ('running', 'done', 'failed')),
    dry_run      INTEGER NOT NULL CHECK (dry_run IN (0, 1)),
    file_name    TEXT    NOT NULL,
    size         INTEGER NOT NULL,
    org_code     TEXT    NOT NULL,
    upload       TEXT    NOT NULL,
    progress     TEXT    NOT NULL,           -- JSON: phase, done, total, share
    percent      REAL    NOT NULL,
    message      TEXT    NOT NULL,
    error        TEXT,                       -- JSON: the API error of a failed job
    import_id    INTEGER REFERENCES imports (id),
    report       TEXT,
    rows_total   INTEGER NOT NULL DEFAULT 0,
    rows_refused INTEGER NOT NULL DEFAULT 0,
    households   INTEGER NOT NULL DEFAULT 0,
    run_id       INTEGER REFERENCES import_jobs (id), -- the real run started from this dry run
    started_at   TEXT    NOT NULL,
    finished_at  TEXT
);
CREATE INDEX import_jobs_running ON import_jobs (state) WHERE state = 'running';
CREATE INDEX import_jobs_upload ON import_jobs (finished_at) WHERE upload != '';
CREATE INDEX import_jobs_report ON import_jobs (finished_at) WHERE report IS NOT NULL;

-- migration 23: the audit head moves once per request, to the last event the request recorded (SPEC §10)
-- A change records one or two events (an approval: the reservation's and the application's); the head row is now
-- written once when the request's work is done rather than after each event, so it may move forward by more
-- than one. It still only moves forward, and only to an event of the chain with that very hash.
DROP TRIGGER audit_head_only_forward;
CREATE TRIGGER audit_head_only_forward BEFORE UPDATE ON audit_head
WHEN NEW.seq <= OLD.seq OR NEW.hash IS NOT (SELECT e.hash FROM audit_events e WHERE e.seq = NEW.seq)
BEGIN SELECT RAISE(ABORT, 'the audit head only moves forward, to an event of the chain'); END;

-- migration 24: household search walks every sort order without reading a household (SPEC §10: p99 ≤ 20 ms)
-- A list or a name that matches more than the 10,000 a total counts is paged by walking a households index in
-- the sort order until the page is full (internal/household): at least one entry in a hundred matches, but an
-- index without the filter columns made each entry a read of its row, and a name a probe of household_terms.
-- Each sort index now holds the org path, every filter column and the head's name, so that the walk checks
-- scope, filters and name on the entry itself; households_file_no is the file-number order with them.
DROP INDEX households_recent;
CREATE INDEX households_recent ON households (updated_at, id, org_path, status, filed_at, category, main_cause, industry,
    migrant, head_name);
DROP INDEX households_per_capita;
CREATE INDEX households_per_capita ON households (per_capita_fen, id, org_path, status, filed_at, category, main_cause,
    industry, migrant, head_name);
DROP INDEX households_filed;
CREATE INDEX households_filed ON households (filed_at, id, org_path, status, category, main_cause, industry, migrant,
    head_name);
DROP INDEX households_status_filed;
CREATE INDEX households_status_filed ON households (status, filed_at, id, category, main_cause, industry, migrant, org_path,
    head_name);
DROP INDEX households_name;
CREATE INDEX households_name ON households (head_name, id, org_path, status, filed_at, category, main_cause, industry,
    migrant);
CREATE INDEX households_file_no ON households (file_no, org_path, status, filed_at, category, main_cause, industry, migrant,
    head_name);

-- migration 25: the anomaly report at a million payments (SPEC §8.2, issue 11: under 2 s)
-- Each rule of the report looks for a few records among all payments; reading them all takes longer than the
-- report may. These tables and indexes hold the candidates (leads) of each rule, written by triggers in the
-- statement that changes a record, so that no write path can forget them; the report reads only the leads and
-- checks each against its rule exactly as a full scan would (finaudit's tests compare the two on random
-- histories). A lead may be more than a finding, never less: rows are added and left, except that the exit or
-- rejection of a household, once the audit trail records it, drops the household's lead when nothing was paid
-- after it. "Paid" is disbursed or received, as the rules read it; thresholds are policy values, so what depends
-- on one keeps its numbers (an amount, a sum) in an index that any threshold can cut.
--   split   a household paid twice for one type within about 30 days;
--   closed  a household paid while its file was exited or rejected, or closed with payments;
--   sod     an application on which one person holds two of: creator, submitter, approver, reviewer, disburser,
--           recorded when the second role is taken, from the decisions as made (a later role change hides none).
CREATE TABLE anomaly_leads (
    rule TEXT    NOT NULL,
    id   INTEGER NOT NULL, -- an application (sod) or a household (split, closed)
    PRIMARY KEY (rule, id)
) WITHOUT ROWID;
-- The same person paid twice for one type and period: the person, type and period (the month; 送温暖 the year),
-- when a second payment joins the first. 金秋助学 never pairs: applications_education_once admits one paid
-- application per student and school year.
CREATE TABLE anomaly_twice (
    type   TEXT NOT NULL,
    who    TEXT NOT NULL, -- the applicant's ID number
    period TEXT NOT NULL,
    PRIMARY KEY (type, who, period)
) WITHOUT ROWID;
-- One bank card or phone on different households: the card or phone, when a second household takes it.
CREATE TABLE anomaly_shared (
    kind  TEXT NOT NULL, -- card or phone (written by the triggers below only)
    value TEXT NOT NULL,
    PRIMARY KEY (kind, value)
) WITHOUT ROWID;
-- What each household was paid per aid year (all types): the report reads those above the smallest yearly cap.
CREATE TABLE household_year_paid (
    household_id INTEGER NOT NULL,
    aid_year     INTEGER NOT NULL,
    fen          INTEGER NOT NULL,
    PRIMARY KEY (household_id, aid_year)
) WITHOUT ROWID;
CREATE INDEX household_year_paid_fen ON household_year_paid (fen);
-- Payments above a cap and payments just below the second-approval threshold: a range of amounts per type.
CREATE INDEX applications_paid_amount ON applications (type, green, amount_fen) WHERE status IN ('disbursed', 'received');
-- The green-channel rules read the green cases paid in the period (and, by applications_green_approved, approved).
CREATE INDEX applications_green_paid ON applications (disbursed_at) WHERE green = 1 AND status IN ('disbursed', 'received');
CREATE INDEX households_bank_card ON households (bank_card) WHERE bank_card <> '';
CREATE INDEX households_phone ON households (phone) WHERE phone <> '';

CREATE TRIGGER anomaly_paid_insert AFTER INSERT ON applications
WHEN NEW.status IN ('disbursed', 'received')
BEGIN
    INSERT INTO household_year_paid (household_id, aid_year, fen) SELECT NEW.household_id, NEW.aid_year, NEW.amount_fen
        WHERE NEW.household_id IS NOT NULL
        ON CONFLICT DO UPDATE SET fen = fen + excluded.fen;
    INSERT OR IGNORE INTO anomaly_twice (type, who, period)
        SELECT NEW.type, NEW.applicant_id_number, CASE NEW.type WHEN 'warmth' THEN CAST(NEW.aid_year AS TEXT)
            ELSE strftime('%Y-%m', NEW.disbursed_at, '+8 hours') END
        WHERE NEW.type <> 'education' AND EXISTS (SELECT 1 FROM applications o
            WHERE o.applicant_id_number = NEW.applicant_id_number AND o.id <> NEW.id AND +o.type = NEW.type
              AND +o.status IN ('disbursed', 'received')
              AND CASE WHEN NEW.type = 'warmth' THEN o.aid_year = NEW.aid_year
                       ELSE strftime('%Y-%m', o.disbursed_at, '+8 hours') = strftime('%Y-%m', NEW.disbursed_at, '+8 hours') END);
    INSERT OR IGNORE INTO anomaly_leads (rule, id)
        SELECT 'split', NEW.household_id WHERE NEW.household_id IS NOT NULL AND EXISTS (SELECT 1 FROM applications o
            WHERE o.household_id = NEW.household_id AND o.id <> NEW.id AND +o.type = NEW.type AND +o.status IN ('disbursed', 'received')
              AND o.disbursed_at >= strftime('%Y-%m-%d', NEW.disbursed_at, '-31 days')
              AND o.disbursed_at < strftime('%Y-%m-%d', NEW.disbursed_at, '+32 days'));
    INSERT OR IGNORE INTO anomaly_leads (rule, id)
        SELECT 'closed', h.id FROM households h WHERE h.id = NEW.household_id AND h.status IN ('exited', 'rejected');
END;
-- A payment leaving the paid set (recovered) or changing what the rules read moves out of its sums; its leads stay.
CREATE TRIGGER anomaly_paid_leave AFTER UPDATE OF status, type, household_id, applicant_id_number, student_id_number, school_year, aid_year, amount_fen, disbursed_at ON applications
WHEN OLD.status IN ('disbursed', 'received') AND OLD.household_id IS NOT NULL
 AND (NEW.status NOT IN ('disbursed', 'received') OR NEW.type IS NOT OLD.type OR NEW.household_id IS NOT OLD.household_id OR NEW.applicant_id_number IS NOT OLD.applicant_id_number
     OR NEW.student_id_number IS NOT OLD.student_id_number OR NEW.school_year IS NOT OLD.school_year
     OR NEW.aid_year IS NOT OLD.aid_year OR NEW.amount_fen IS NOT OLD.amount_fen OR NEW.disbursed_at IS NOT OLD.disbursed_at)
BEGIN
    UPDATE household_year_paid SET fen = fen - OLD.amount_fen WHERE household_id = OLD.household_id AND aid_year = OLD.aid_year;
END;
CREATE TRIGGER anomaly_paid_enter AFTER UPDATE OF status, type, household_id, applicant_id_number, student_id_number, school_year, aid_year, amount_fen, disbursed_at ON applications
WHEN NEW.status IN ('disbursed', 'received')
 AND (OLD.status NOT IN ('disbursed', 'received') OR NEW.type IS NOT OLD.type OR NEW.household_id IS NOT OLD.household_id OR NEW.applicant_id_number IS NOT OLD.applicant_id_number
     OR NEW.student_id_number IS NOT OLD.student_id_number OR NEW.school_year IS NOT OLD.school_year
     OR NEW.aid_year IS NOT OLD.aid_year OR NEW.amount_fen IS NOT OLD.amount_fen OR NEW.disbursed_at IS NOT OLD.disbursed_at)
BEGIN
    INSERT INTO household_year_paid (household_id, aid_year, fen) SELECT NEW.household_id, NEW.aid_year, NEW.amount_fen
        WHERE NEW.household_id IS NOT NULL
        ON CONFLICT DO UPDATE SET fen = fen + excluded.fen;
    INSERT OR IGNORE INTO anomaly_twice (type, who, period)
        SELECT NEW.type, NEW.applicant_id_number, CASE NEW.type WHEN 'warmth' THEN CAST(NEW.aid_year AS TEXT)
            ELSE strftime('%Y-%m', NEW.disbursed_at, '+8 hours') END
        WHERE NEW.type <> 'education' AND EXISTS (SELECT 1 FROM applications o
            WHERE o.applicant_id_number = NEW.applicant_id_number AND o.id <> NEW.id AND +o.type = NEW.type
              AND +o.status IN ('disbursed', 'received')
              AND CASE WHEN NEW.type = 'warmth' THEN o.aid_year = NEW.aid_year
                       ELSE strftime('%Y-%m', o.disbursed_at, '+8 hours') = strftime('%Y-%m', NEW.disbursed_at, '+8 hours') END);
    INSERT OR IGNORE INTO anomaly_leads (rule, id)
        SELECT 'split', NEW.household_id WHERE NEW.household_id IS NOT NULL AND EXISTS (SELECT 1 FROM applications o
            WHERE o.household_id = NEW.household_id AND o.id <> NEW.id AND +o.type = NEW.type AND +o.status IN ('disbursed', 'received')
              AND o.disbursed_at >= strftime('%Y-%m-%d', NEW.disbursed_at, '-31 days')
              AND o.disbursed_at < strftime('%Y-%m-%d', NEW.disbursed_at, '+32 days'));
    INSERT OR IGNORE INTO anomaly_leads (rule, id)
        SELECT 'closed', h.id FROM households h WHERE h.id = NEW.household_id AND h.status IN ('exited', 'rejected');
END;
-- Segregation of duties: the second role one person takes on an application, whichever comes second.
CREATE TRIGGER anomaly_sod_people AFTER UPDATE OF created_by, submitted_by, disbursed_by ON applications
WHEN NEW.created_by IS NOT OLD.created_by OR NEW.submitted_by IS NOT OLD.submitted_by OR NEW.disbursed_by IS NOT OLD.disbursed_by
BEGIN
    INSERT OR IGNORE INTO anomaly_leads (rule, id)
        SELECT 'sod', NEW.id WHERE EXISTS (SELECT 1 FROM application_decisions d WHERE d.application_id = NEW.id
            AND d.action IN ('approve', 'review') AND d.actor_id IN (NEW.created_by, NEW.submitted_by, NEW.disbursed_by));
END;
CREATE TRIGGER anomaly_sod_decision AFTER INSERT ON application_decisions
WHEN NEW.action IN ('approve', 'review')
BEGIN
    INSERT OR IGNORE INTO anomaly_leads (rule, id)
        SELECT 'sod', NEW.application_id
        WHERE EXISTS (SELECT 1 FROM applications a WHERE a.id = NEW.application_id
                AND NEW.actor_id IN (a.created_by, a.submitted_by, a.disbursed_by))
           OR EXISTS (SELECT 1 FROM application_decisions d WHERE d.application_id = NEW.application_id AND d.id <> NEW.id
                AND d.action IN ('approve', 'review') AND d.actor_id = NEW.actor_id);
END;
-- A household closed with payments is a lead until the audit trail dates the closing and nothing was paid after
-- it (the rule reads payments after the last exit or rejection; without one, all of them).
CREATE TRIGGER anomaly_household_closed AFTER UPDATE OF status ON households
WHEN NEW.status IN ('exited', 'rejected') AND OLD.status NOT IN ('exited', 'rejected')
BEGIN
    INSERT OR IGNORE INTO anomaly_leads (rule, id)
        SELECT 'closed', NEW.id WHERE EXISTS (SELECT 1 FROM applications a WHERE a.household_id = NEW.id
            AND +a.status IN ('disbursed', 'received'));
END;
CREATE TRIGGER anomaly_household_closing_recorded AFTER INSERT ON audit_events
WHEN NEW.action IN ('household.exit', 'household.reject')
BEGIN
    DELETE FROM anomaly_leads WHERE rule = 'closed' AND id = CAST(NEW.entity_id AS INTEGER)
        AND NOT EXISTS (SELECT 1 FROM applications a WHERE a.household_id = CAST(NEW.entity_id AS INTEGER)
            AND +a.status IN ('disbursed', 'received') AND a.disbursed_at > NEW.at);
END;
CREATE TRIGGER anomaly_shared_insert AFTER INSERT ON households
WHEN NEW.bank_card <> '' OR NEW.phone <> ''
BEGIN
    INSERT OR IGNORE INTO anomaly_shared (kind, value) SELECT 'card', NEW.bank_card
        WHERE NEW.bank_card <> '' AND EXISTS (SELECT 1 FROM households h WHERE h.bank_card = NEW.bank_card AND h.bank_card <> ''
            AND h.id <> NEW.id);
    INSERT OR IGNORE INTO anomaly_shared (kind, value) SELECT 'phone', NEW.phone
        WHERE NEW.phone <> '' AND EXISTS (SELECT 1 FROM households h WHERE h.phone = NEW.phone AND h.phone <> '' AND h.id <> NEW.id);
END;
CREATE TRIGGER anomaly_shared_update AFTER UPDATE OF bank_card, phone ON households
WHEN (NEW.bank_card <> '' AND NEW.bank_card IS NOT OLD.bank_card) OR (NEW.phone <> '' AND NEW.phone IS NOT OLD.phone)
BEGIN
    INSERT OR IGNORE INTO anomaly_shared (kind, value) SELECT 'card', NEW.bank_card
        WHERE NEW.bank_card <> '' AND NEW.bank_card IS NOT OLD.bank_card AND EXISTS (SELECT 1 FROM households h
            WHERE h.bank_card = NEW.bank_card AND h.bank_card <> '' AND h.id <> NEW.id);
    INSERT OR IGNORE INTO anomaly_shared (kind, value) SELECT 'phone', NEW.phone
        WHERE NEW.phone <> '' AND NEW.phone IS NOT OLD.phone AND EXISTS (SELECT 1 FROM households h
            WHERE h.phone = NEW.phone AND h.phone <> '' AND h.id <> NEW.id);
END;

-- What is already there.
INSERT INTO household_year_paid (household_id, aid_year, fen)
    SELECT household_id, aid_year, sum(amount_fen) FROM applications
    WHERE status IN ('disbursed', 'received') AND household_id IS NOT NULL GROUP BY household_id, aid_year;
INSERT OR IGNORE INTO anomaly_twice (type, who, period)
    SELECT a.type, a.applicant_id_number, CASE a.type WHEN 'warmth' THEN CAST(a.aid_year AS TEXT)
            ELSE strftime('%Y-%m', a.disbursed_at, '+8 hours') END
    FROM applications a WHERE a.status IN ('disbursed', 'received') AND a.type <> 'education'
        AND EXISTS (SELECT 1 FROM applications o WHERE o.applicant_id_number = a.applicant_id_number AND o.id <> a.id
            AND +o.type = a.type AND +o.status IN ('disbursed', 'received')
            AND CASE WHEN a.type = 'warmth' THEN o.aid_year = a.aid_year
                     ELSE strftime('%Y-%m', o.disbursed_at, '+8 hours') = strftime('%Y-%m', a.disbursed_at, '+8 hours') END);
INSERT OR IGNORE INTO anomaly_leads (rule, id)
    SELECT 'split', a.household_id FROM applications a WHERE a.status IN ('disbursed', 'received') AND a.household_id IS NOT NULL
        AND EXISTS (SELECT 1 FROM applications o WHERE o.household_id = a.household_id AND o.id <> a.id AND +o.type = a.type
            AND +o.status IN ('disbursed', 'received') AND o.disbursed_at >= strftime('%Y-%m-%d', a.disbursed_at, '-31 days')
            AND o.disbursed_at < strftime('%Y-%m-%d', a.disbursed_at, '+32 days'));
INSERT OR IGNORE INTO anomaly_leads (rule, id)
    SELECT 'closed', h.id FROM households h WHERE h.status IN ('exited', 'rejected') AND EXISTS (SELECT 1 FROM applications a
        WHERE a.household_id = h.id AND +a.status IN ('disbursed', 'received') AND a.disbursed_at > coalesce((SELECT max(e.at)
            FROM audit_events e WHERE e.entity_type = 'household' AND e.entity_id = CAST(h.id AS TEXT)
              AND e.action IN ('household.exit', 'household.reject')), ''));
INSERT OR IGNORE INTO anomaly_leads (rule, id)
    SELECT 'sod', d.application_id FROM application_decisions d JOIN applications a ON a.id = d.application_id
    WHERE d.action IN ('approve', 'review') AND (d.actor_id IN (a.created_by, a.submitted_by, a.disbursed_by)
        OR EXISTS (SELECT 1 FROM application_decisions o WHERE o.application_id = d.application_id AND o.id <> d.id
            AND o.action IN ('approve', 'review') AND o.actor_id = d.actor_id));
INSERT OR IGNORE INTO anomaly_shared (kind, value)
    SELECT 'card', bank_card FROM households WHERE bank_card <> '' GROUP BY bank_card HAVING count(*) > 1;
INSERT OR IGNORE INTO anomaly_shared (kind, value)
    SELECT 'phone', phone FROM households WHERE phone <> '' GROUP BY phone HAVING count(*) > 1;

-- migration 26: one index fewer for every household write (SPEC §10: create at ≥ 1,100/s)
-- households_status (status, filed_at) is the leading part of households_status_filed (migration 24), which
-- answers every query the shorter one did; keeping both only costs each insert and update a second entry.
DROP INDEX households_status;

-- migration 27: an exit through the annual review dates the closing of a household (SPEC §8.2)
-- The review's exit (decision "exit") records household.review, not household.exit: the closed-household rule
-- reads it as a closing too when the household it left is exited, so payments before the review are no finding.
DROP TRIGGER anomaly_household_closing_recorded;
CREATE TRIGGER anomaly_household_closing_recorded AFTER INSERT ON audit_events
WHEN NEW.action IN ('household.exit', 'household.reject')
  OR (NEW.action = 'household.review' AND json_extract(NEW.changes, '$.after.status') = 'exited')
BEGIN
    DELETE FROM anomaly_leads WHERE rule = 'closed' AND id = CAST(NEW.entity_id AS INTEGER)
        AND NOT EXISTS (SELECT 1 FROM applications a WHERE a.household_id = CAST(NEW.entity_id AS INTEGER)
            AND +a.status IN ('disbursed', 'received') AND a.disbursed_at > NEW.at);
END;
-- What is already there: the leads of households exited by a review with nothing paid after it.
DELETE FROM anomaly_leads WHERE rule = 'closed' AND NOT EXISTS (SELECT 1 FROM applications a
    WHERE a.household_id = anomaly_leads.id AND +a.status IN ('disbursed', 'received') AND a.disbursed_at > coalesce((SELECT max(e.at)
        FROM audit_events e WHERE e.entity_type = 'household' AND e.entity_id = CAST(anomaly_leads.id AS TEXT)
          AND (e.action IN ('household.exit', 'household.reject')
               OR (e.action = 'household.review' AND json_extract(e.changes, '$.after.status') = 'exited'))), ''));

-- migration 28: an approval and a payment write fewer index entries (SPEC §10: approve+disburse ≥ 1,000/s)
-- applications_beneficiary held the status in its key, so every workflow step moved its entry, and the one query
-- that reads it, the yearly cap rule (relief.paidSQL: what is committed for a beneficiary in an aid year), still
-- read every committed row for its amount. It now holds the committed applications only, with what the rule
-- reads (the status last, so that SQLite reads the index alone): a submission or a return no longer touches
-- it, and an approval adds an entry instead of moving one. application_decisions_application (application_id, id) is the leading part
-- of application_decisions_actors (migration 17), which answers every query and trigger that used it.
DROP INDEX applications_beneficiary;
CREATE INDEX applications_beneficiary ON applications (beneficiary, aid_year, type, amount_fen, status)
    WHERE status IN ('approved', 'disbursed', 'received');
DROP INDEX application_decisions_application;

-- migration 29: search terms other than names leave household_terms_scope (SPEC §10: create at ≥ 1,100/s)
-- An ID or phone term has a handful of households: its search reads the term's range of household_terms itself,
-- whose rows hold the org path, so the scope is checked on them and household_terms_scope gave it nothing. Its
-- entries there were 4 of the 10 a create writes to that index, 3 of them at random places (an ID term is the
-- number reversed), each a page of the commit. The index now holds name terms only, like household_terms_sig and
-- household_terms_name; a query reads it by naming the same condition.
DROP INDEX household_terms_scope;
CREATE INDEX household_terms_scope ON household_terms (term, org_path, status, filed_at, migrant, category, industry,
    main_cause, updated_at, per_capita_fen, head_name, file_no) WHERE term >= 'n:' AND term < 'n;';
