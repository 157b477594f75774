package relief

import (
	"context"

	"bangfu/internal/actor"
	"bangfu/internal/apperr"
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

// BulkResult is the outcome of a bulk approval: each item's result in the order asked, and how many were
// approved (first or final approval).
type BulkResult struct {
	Items    []ItemResult `json:"items"`
	Total    int          `json:"total"`
	Approved int          `json:"approved"`
}

// BulkApproval is the input for ApproveMany: the applications, in order, and the one reason for all.
type BulkApproval struct {
	IDs    []int64 `json:"ids"`
	Reason string  `json:"reason"`
}

// ApproveMany approves each application as Act would, each in its own transaction with every rule checked
// (SPEC §5: bulk approval still checks every rule per item), and reports each item's result in order.
func (s *Service) ApproveMany(ctx context.Context, a actor.Actor, in BulkApproval) (BulkResult, error) {
	ids, reason := in.IDs, in.Reason
	if err := a.Require(actor.Supervisor); err != nil { // the wrong role is refused as a whole, not item by item
		return BulkResult{}, err
	}
	if len(ids) == 0 {
		return BulkResult{}, apperr.Invalid("ids", "请选择要批准的申请")
	}
	if len(ids) > MaxBulk {
		return BulkResult{}, apperr.Invalid("ids", "一次最多批准 200 件")
	}
	if len([]rune(reason)) > 500 {
		return BulkResult{}, apperr.Invalid("reason", "批准意见不能超过 500 个字")
	}
	out := BulkResult{Items: make([]ItemResult, len(ids)), Total: len(ids)}
	seen := map[int64]bool{}
	for i, id := range ids {
		if seen[id] {
			out.Items[i] = ItemResult{ID: id, Code: apperr.Validation, Message: "重复选择了同一件申请"}
			continue
		}
		seen[id] = true
		done, err := s.act(ctx, a, id, ActApprove, ActionInput{Reason: reason})
		if err != nil {
			e := apperr.From(err)
			if e.Code == apperr.Internal {
				return BulkResult{}, err
			}
			out.Items[i] = ItemResult{ID: id, Code: e.Code, Message: e.Message}
			continue
		}
		out.Items[i] = ItemResult{ID: id, OK: true, Status: done.app.Status}
		out.Approved++
	}
	return out, nil
}
