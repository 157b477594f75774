package household

import (
	"context"
	"time"

	"github.com/jmoiron/sqlx"

	"bangfu/internal/actor"
	"bangfu/internal/apperr"
	"bangfu/internal/ident"
	"bangfu/internal/org"
)

// A publicity round (公示批次) is the households of a union's subtree whose publicity period (SPEC §3.3) began
// on one day: they are posted together on one list, names and ID numbers masked (SPEC §8.1), with the last
// day on which an objection may be raised.

// PublicityFilter narrows the rounds to one union's subtree (0: the reader's whole scope).
type PublicityFilter struct {
	OrgID int64 `query:"org_id"`
}

// PublicityRound is one round: its period and how many households it posted.
type PublicityRound struct {
	Start       string `db:"start" json:"start"`
	End         string `db:"end" json:"end"` // the objection deadline: the period's last working day
	Households  int    `db:"households" json:"households"`
	Publicizing int    `db:"publicizing" json:"publicizing"` // still in their period
}

// PublicityEntry is one line of a publicity list, as posted: masked.
type PublicityEntry struct {
	FileNo    string `db:"file_no" json:"file_no"`
	Name      string `db:"head_name" json:"name"`      // masked: 张*三
	IDNumber  string `db:"id_number" json:"id_number"` // masked: 110101********1234
	OrgName   string `db:"org_name" json:"org_name"`
	Cause     string `db:"main_cause" json:"-"`
	CauseName string `db:"-" json:"main_cause"`
	Category  string `db:"category" json:"category"` // the category as filed, or as suggested while publicizing
	CatName   string `db:"-" json:"category_name"`
	Status    string `db:"status" json:"status"`
	End       string `db:"publicity_end" json:"-"`
}

// PublicityList is a round's list to post.
type PublicityList struct {
	Union      string           `json:"union"` // the union that posts it: the one filtered on, or the reader's own
	Start      string           `json:"start"`
	End        string           `json:"end"`
	Households int              `json:"households"`
	Items      []PublicityEntry `json:"items"`
}

// publicized are the statuses of a household whose publicity was not cut short by a return or rejection.
const publicized = "status IN ('publicizing', 'filed', 'review_due', 'exited')"

// roundsQuery lists the rounds in the scope cond, newest first; households_publicity (migration 19) finds
// them newest first without reading the files that were never publicized: named, because on a district's
// statistics the status index looks cheaper and reads every filed household in scope.
func roundsQuery(cond string) string {
	return `SELECT publicity_start AS start, max(publicity_end) AS end, count(*) AS households,
		sum(status = 'publicizing') AS publicizing FROM households INDEXED BY households_publicity
		WHERE publicity_start IS NOT NULL AND ` + publicized + ` AND ` + cond + `
		GROUP BY publicity_start ORDER BY publicity_start DESC LIMIT 100`
}

// roundQuery reads the list of the round that began on its first argument in the scope cond.
func roundQuery(cond string) string {
	return `SELECT file_no, head_name, id_number,
		(SELECT o.name FROM orgs o WHERE o.id = households.org_id) AS org_name, main_cause,
		CASE WHEN category = '' THEN suggested_category ELSE category END AS category, status, publicity_end
		FROM households WHERE publicity_start = ? AND ` + publicized + ` AND ` + cond + `
		ORDER BY org_path, file_no LIMIT ?`
}

// maxPublicityList bounds one printed list; a round larger than that is printed union by union.
const maxPublicityList = 5000

// publicityScope is the condition on households for a's scope narrowed by f, and the union the list is for.
func (s *Service) publicityScope(ctx context.Context, a actor.Actor, f PublicityFilter) (string, []any, string, error) {
	if err := a.Require(caseReaders...); err != nil {
		return "", nil, "", err
	}
	cond, args := a.Scope("org_path")
	id := a.OrgID
	if f.OrgID != 0 {
		o, err := org.GetInScope(ctx, s.DB.R, a, f.OrgID)
		if apperr.CodeOf(err) == apperr.NotFound {
			return "", nil, "", apperr.Invalid("org_id", "所选组织不存在或不在您的管辖范围内")
		} else if err != nil {
			return "", nil, "", err
		}
		cond, args = cond+" AND org_path >= ? AND org_path < ?", append(args, o.Path, o.Path[:len(o.Path)-1]+"0")
		id = o.ID
	}
	union := ""
	if id != 0 {
		o, err := org.Get(ctx, s.DB.R, id)
		if err != nil {
			return "", nil, "", err
		}
		union = o.Name
	}
	return cond, args, union, nil
}

// PublicityRounds lists the latest 100 rounds in a's scope narrowed by f, newest first.
func (s *Service) PublicityRounds(ctx context.Context, a actor.Actor, f PublicityFilter) ([]PublicityRound, error) {
	cond, args, _, err := s.publicityScope(ctx, a, f)
	if err != nil {
		return nil, err
	}
	out := []PublicityRound{}
	err = sqlx.SelectContext(ctx, s.DB.R, &out, roundsQuery(cond), args...)
	return out, err
}

// PublicityList is the list of the round that began on start in a's scope narrowed by f, by union and file
// number, masked.
func (s *Service) PublicityList(ctx context.Context, a actor.Actor, start string, f PublicityFilter) (PublicityList, error) {
	cond, args, union, err := s.publicityScope(ctx, a, f)
	if err != nil {
		return PublicityList{}, err
	}
	if _, err := time.Parse("2006-01-02", start); err != nil {
		return PublicityList{}, apperr.Invalid("start", "公示开始日期格式应为 2006-01-02")
	}
	out := PublicityList{Union: union, Start: start, Items: []PublicityEntry{}}
	if err := sqlx.SelectContext(ctx, s.DB.R, &out.Items, roundQuery(cond), append(append([]any{start}, args...), maxPublicityList+1)...); err != nil {
		return PublicityList{}, err
	}
	if len(out.Items) == 0 {
		return PublicityList{}, apperr.NotFoundf("该日没有开始公示的困难职工")
	}
	if len(out.Items) > maxPublicityList {
		return PublicityList{}, apperr.Conflictf("该批公示超过 %d 户，请按工会分别打印", maxPublicityList)
	}
	for i := range out.Items {
		e := &out.Items[i]
		e.Name, e.IDNumber, e.CauseName = ident.MaskName(e.Name), ident.MaskID(e.IDNumber), CauseNames[e.Cause]
		e.CatName = CategoryNames[Category(e.Category)]
		out.End = max(out.End, e.End)
	}
	out.Households = len(out.Items)
	return out, nil
}
