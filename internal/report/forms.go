package report

import (
	"context"

	"bangfu/internal/actor"
	"bangfu/internal/apperr"
	"bangfu/internal/ident"
	"bangfu/internal/org"
	"bangfu/internal/relief"
)

// ApprovalForm is the printed approval form (审批表, SPEC §8.1) of one application: the application with the
// applicant's name masked as well as the numbers, and every decision with its snapshot, decider and time.
type ApprovalForm struct {
	Application relief.Application `json:"application"`
	Decisions   []relief.Decision  `json:"decisions"`
}

// ApprovalForms are the forms of a selection, printed one to a page under the union's name.
type ApprovalForms struct {
	Union string         `json:"union"` // the reader's union, which files the forms
	Items []ApprovalForm `json:"items"`
}

// MaxForms is the most forms one print asks for: a list page's largest page.
const MaxForms = 200

// ApprovalForms reads the forms of applications ids, in the order given, through the relief service, so each
// is read with its roles and scope: one out of a's scope makes the whole print not found.
func (s *Service) ApprovalForms(ctx context.Context, a actor.Actor, ids []int64) (ApprovalForms, error) {
	if len(ids) == 0 || len(ids) > MaxForms {
		return ApprovalForms{}, apperr.Invalid("ids", "请选择 1 至 200 份申请")
	}
	svc := &relief.Service{DB: s.DB, Clock: s.Clock}
	out := ApprovalForms{Items: make([]ApprovalForm, 0, len(ids))}
	for _, id := range ids {
		v, err := svc.Get(ctx, a, id)
		if err != nil {
			return ApprovalForms{}, err
		}
		ds, err := svc.Decisions(ctx, a, id)
		if err != nil {
			return ApprovalForms{}, err
		}
		app := v.Application
		app.ApplicantName = ident.MaskName(app.ApplicantName)
		out.Items = append(out.Items, ApprovalForm{Application: app, Decisions: ds})
	}
	if a.OrgID != 0 {
		o, err := org.Get(ctx, s.DB.R, a.OrgID)
		if err != nil {
			return ApprovalForms{}, err
		}
		out.Union = o.Name
	}
	return out, nil
}
