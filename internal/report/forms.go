package report

import (
	"context"
	"encoding/json"

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
		for i := range ds {
			if ds[i].Snapshot, err = maskSnapshot(ds[i].Snapshot); err != nil {
				return ApprovalForms{}, err
			}
		}
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

// maskSnapshot masks the names a decision snapshot keeps (its numbers are masked already): the applicant's,
// the head's and the members'.
func maskSnapshot(raw json.RawMessage) (json.RawMessage, error) {
	var snap map[string]json.RawMessage
	if len(raw) == 0 || json.Unmarshal(raw, &snap) != nil {
		return raw, nil // not an object: nothing to mask
	}
	mask := func(part, key string, rows bool) error {
		if len(snap[part]) == 0 || string(snap[part]) == "null" {
			return nil
		}
		var obj map[string]any
		if err := json.Unmarshal(snap[part], &obj); err != nil {
			return err
		}
		if name, ok := obj[key].(string); ok {
			obj[key] = ident.MaskName(name)
		}
		if rows {
			members, _ := obj["members"].([]any)
			for _, m := range members {
				if m, ok := m.(map[string]any); ok {
					if name, ok := m["name"].(string); ok {
						m["name"] = ident.MaskName(name)
					}
				}
			}
		}
		b, err := json.Marshal(obj)
		snap[part] = b
		return err
	}
	if err := mask("application", "applicant_name", false); err != nil {
		return nil, err
	}
	if err := mask("household", "name", true); err != nil {
		return nil, err
	}
	return json.Marshal(snap)
}
