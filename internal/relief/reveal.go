package relief

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"bangfu/internal/actor"
	"bangfu/internal/audit"
	"bangfu/internal/store"
)

// Revealed are the full numbers of an application, for the roles that may read them.
type Revealed struct {
	ApplicantIDNumber string `json:"applicant_id_number"`
	ApplicantPhone    string `json:"applicant_phone"`
	StudentIDNumber   string `json:"student_id_number"`
}

// Reveal returns the full numbers of application id and writes the audit event SPEC §7 asks of every read
// of a full ID number. The roles that keep, decide, pay or audit a case may; admins never do.
func Reveal(ctx context.Context, db *store.DB, a actor.Actor, now time.Time, id int64) (Revealed, error) {
	var out Revealed
	err := db.Write(ctx, func(tx *sqlx.Tx) error {
		if err := a.Require(actor.Caseworker, actor.Supervisor, actor.Finance, actor.Auditor); err != nil {
			return err
		}
		app, err := Get(ctx, tx, a, id)
		if err != nil {
			return err
		}
		out = Revealed{ApplicantIDNumber: app.ApplicantIDNumber, ApplicantPhone: app.ApplicantPhone, StudentIDNumber: app.StudentIDNumber}
		return audit.Record(ctx, tx, a, now, audit.Entry{Action: "application.read_full", EntityType: "application",
			EntityID: fmt.Sprint(id), OrgID: app.OrgID, OrgPath: app.OrgPath, Reason: "查看完整证件号码和手机号"})
	})
	return out, err
}
