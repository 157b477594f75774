// Package finaudit is the finance audit of SPEC §8.2 (经审): reconciliation of the ledger against the registers
// (对账), the disbursement register (支出明细), the fund-use summary (经费使用情况) and the anomaly report
// (异常线索). It only reads — from the read pool — except that every anomaly-report run is itself audited.
package finaudit

import (
	"bangfu/internal/actor"
	"bangfu/internal/clock"
	"bangfu/internal/store"
)

// Service is the finance audit as the web and the CLI call it.
type Service struct {
	DB    *store.DB
	Clock clock.Clock
}

// require refuses with 403 unless a holds one of roles (the command line may do everything it is given).
func require(a actor.Actor, roles ...actor.Role) error {
	if a.IsSystem() {
		return nil
	}
	return a.Require(roles...)
}

// Who reads what (SPEC §1.2): finance keeps the books and reconciles them; auditors read everything in scope;
// supervisors may read the register and the summary of the money they decide on; admin reads no money data.
var (
	bookReaders    = []actor.Role{actor.Finance, actor.Auditor, actor.Supervisor}
	auditReaders   = []actor.Role{actor.Finance, actor.Auditor}
	anomalyReaders = []actor.Role{actor.Auditor, actor.Finance}
)
