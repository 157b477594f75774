package relief

import (
	"context"
	"time"

	"bangfu/internal/actor"
	"bangfu/internal/apperr"
	"bangfu/internal/store"
)

// MaxBulk bounds one bulk approval.
const MaxBulk = 200

// ItemResult is the outcome of one application in a bulk approval.
type ItemResult struct {
	ID      int64       `json:"id"`
	OK      bool        `json:"ok"`
	Status  Status      `json:"status,omitempty"`
	Code    apperr.Code `json:"code,omitempty"`
	Message string      `json:"message,omitempty"`
}

// ApproveMany approves each application as Act would, each in its own transaction with every rule checked
// (SPEC §5: bulk approval still checks every rule per item), and reports each item's result in order.
func ApproveMany(ctx context.Context, db *store.DB, a actor.Actor, now time.Time, ids []int64, reason string) ([]ItemResult, error) {
	if err := a.Require(actor.Supervisor); err != nil { // the wrong role is refused as a whole, not item by item
		return nil, err
	}
	if len(ids) == 0 {
		return nil, apperr.Invalid("ids", "请选择要批准的申请")
	}
	if len(ids) > MaxBulk {
		return nil, apperr.Invalid("ids", "一次最多批准 200 件")
	}
	out := make([]ItemResult, len(ids))
	seen := map[int64]bool{}
	for i, id := range ids {
		if seen[id] {
			out[i] = ItemResult{ID: id, Code: apperr.Validation, Message: "重复选择了同一件申请"}
			continue
		}
		seen[id] = true
		app, err := Act(ctx, db, a, now, id, ActApprove, ActionInput{Reason: reason})
		if err != nil {
			e := apperr.From(err)
			if e.Code == apperr.Internal {
				return nil, err
			}
			out[i] = ItemResult{ID: id, Code: e.Code, Message: e.Message}
			continue
		}
		out[i] = ItemResult{ID: id, OK: true, Status: app.Status}
	}
	return out, nil
}
