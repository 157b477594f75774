package campaign

import (
	"context"

	"bangfu/internal/actor"
	"bangfu/internal/apperr"
)

// Purchase returns purchase id if a sees its campaign; any other is not acknowledged.
func (s *Service) Purchase(ctx context.Context, a actor.Actor, id int64) (Purchase, error) {
	if err := a.Require(readers...); err != nil {
		return Purchase{}, err
	}
	p, err := getPurchase(ctx, s.DB.R, id)
	if err != nil {
		return Purchase{}, err
	}
	if _, err := inScope(ctx, s.DB.R, a, p.CampaignID); err != nil {
		if apperr.CodeOf(err) == apperr.NotFound {
			return Purchase{}, apperr.NotFoundf("采购记录不存在")
		}
		return Purchase{}, err
	}
	return p, nil
}

// Enrolment returns enrolment id if it is in a's scope; any other is not acknowledged.
func (s *Service) Enrolment(ctx context.Context, a actor.Actor, id int64) (Enrolment, error) {
	if err := a.Require(readers...); err != nil {
		return Enrolment{}, err
	}
	e, err := getEnrolment(ctx, s.DB.R, id)
	if err == nil && !a.Sees(e.OrgPath) {
		return Enrolment{}, apperr.NotFoundf("报名记录不存在")
	}
	return e, err
}
