package household

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"bangfu/internal/actor"
	"bangfu/internal/audit"
)

// Visit is a home-visit record (入户走访).
type Visit struct {
	ID            int64  `db:"id" json:"id"`
	VisitDate     string `db:"visit_date" json:"visit_date"`
	Visitors      string `db:"visitors" json:"visitors"`
	Findings      string `db:"findings" json:"findings"`
	ConsentSigned bool   `db:"consent_signed" json:"consent_signed"`
	RecordedBy    string `db:"recorded_by_name" json:"recorded_by"`
	CreatedAt     string `db:"created_at" json:"created_at"`
}

// visits lists the visits of household id; the caller has checked scope.
func visits(ctx context.Context, q sqlx.QueryerContext, id int64) ([]Visit, error) {
	vs := []Visit{}
	err := sqlx.SelectContext(ctx, q, &vs, `SELECT v.id, v.visit_date, v.visitors, v.findings, v.consent_signed,
		coalesce(u.name, '') AS recorded_by_name, v.created_at FROM household_visits v
		LEFT JOIN users u ON u.id = v.recorded_by WHERE v.household_id = ? ORDER BY v.visit_date, v.id`, id)
	return vs, err
}

// Objection is an objection raised during publicity (公示异议).
type Objection struct {
	ID         int64          `db:"id" json:"id"`
	Content    string         `db:"content" json:"content"`
	RaisedBy   string         `db:"raised_by" json:"raised_by"`
	RecordedAt string         `db:"recorded_at" json:"recorded_at"`
	Resolution string         `db:"resolution" json:"resolution"`
	Upheld     bool           `db:"upheld" json:"upheld"`
	ResolvedAt sql.NullString `db:"resolved_at" json:"-"`
	Resolved   bool           `db:"-" json:"resolved"`
}

// objections lists the objections of household id; the caller has checked scope.
func objections(ctx context.Context, q sqlx.QueryerContext, id int64) ([]Objection, error) {
	os := []Objection{}
	err := sqlx.SelectContext(ctx, q, &os, `SELECT id, content, raised_by, recorded_at, resolution, upheld, resolved_at
		FROM household_objections WHERE household_id = ? ORDER BY id`, id)
	for i := range os {
		os[i].Resolved = os[i].ResolvedAt.Valid
	}
	return os, err
}

// Revealed are the full numbers of a household, for the roles that may read them.
type Revealed struct {
	IDNumber string           `json:"id_number"`
	Phone    string           `json:"phone"`
	BankCard string           `json:"bank_card"`
	Members  []RevealedMember `json:"members"`
}

// RevealedMember is a member's full ID number.
type RevealedMember struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	IDNumber string `json:"id_number"`
}

// reveal returns the full numbers of h and writes the audit event SPEC §7 asks of every read of a full ID
// or bank number.
func reveal(ctx context.Context, tx *sqlx.Tx, a actor.Actor, now time.Time, h *Household) (Revealed, error) {
	out := Revealed{IDNumber: h.IDNumber, Phone: h.Phone, BankCard: h.BankCard, Members: []RevealedMember{}}
	for _, m := range h.Members {
		out.Members = append(out.Members, RevealedMember{ID: m.ID, Name: m.Name, IDNumber: m.IDNumber})
	}
	return out, audit.Record(ctx, tx, a, now, audit.Entry{Action: "household.read_full", EntityType: "household",
		EntityID: fmt.Sprint(h.ID), OrgID: h.OrgID, OrgPath: h.OrgPath, Reason: "查看完整证件号码、手机号和银行卡号"})
}
