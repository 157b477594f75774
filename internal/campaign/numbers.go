package campaign

import (
	"context"

	"github.com/jmoiron/sqlx"

	"bangfu/internal/actor"
	"bangfu/internal/unmask"
)

// Numbers are the full identifiers behind a masked list row: an enrolment's ID number and phone, or a
// delivery's receiver phone (IDNumber empty).
type Numbers = unmask.Numbers

// FullEnrolmentNumbers returns the full ID numbers and phones of those of the enrolments ids in a's scope.
// Only finance and auditors may ask; the caller (an unmasked export, SPEC §8.1) audits the whole export.
func FullEnrolmentNumbers(ctx context.Context, q sqlx.QueryerContext, a actor.Actor, ids []int64) ([]Numbers, error) {
	return unmask.Read(ctx, q, a, "SELECT id, id_number, phone FROM campaign_enrolments", ids)
}

// FullReceiverPhones returns the receivers' full phone numbers of those of the deliveries ids in a's scope.
// Only finance and auditors may ask; the caller (an unmasked export, SPEC §8.1) audits the whole export.
func FullReceiverPhones(ctx context.Context, q sqlx.QueryerContext, a actor.Actor, ids []int64) ([]Numbers, error) {
	return unmask.Read(ctx, q, a, "SELECT id, '' AS id_number, receiver_phone AS phone FROM campaign_deliveries", ids)
}
