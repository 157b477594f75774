package importer

import (
	"context"

	"github.com/jmoiron/sqlx"

	"bangfu/internal/actor"
	"bangfu/internal/store"
)

// Past is one import that was written, as the history lists it (the imports table, migration 10): the
// file, who ran it and when, and its counts. Jobs, the running and dry imports, live only in memory.
type Past struct {
	ID          int64  `db:"id" json:"id"`
	FileName    string `db:"file_name" json:"file_name"`
	Format      string `db:"format" json:"format"`
	Size        int64  `db:"size" json:"size"`
	State       string `db:"state" json:"state"`
	By          string `db:"created_by_name" json:"created_by"`
	At          string `db:"created_at" json:"created_at"`
	Rows        int    `db:"rows_total" json:"rows"`
	RowsRefused int    `db:"rows_refused" json:"rows_refused"`
	Households  int    `db:"households" json:"households"`
	Created     int    `db:"created" json:"created"`
	Updated     int    `db:"updated" json:"updated"`
	Unchanged   int    `db:"unchanged" json:"unchanged"`
	Review      int    `db:"review" json:"review"`
}

// HistoryFilter pages the history.
type HistoryFilter struct {
	Page    int `query:"page"`
	PerPage int `query:"per_page"`
}

// History is one page of past imports, newest first, with the count of all.
type History struct {
	Items []Past `json:"items"`
	Total int    `json:"total"`
}

// History lists the imports run in a's scope (SPEC §8.3: "what was imported, when, by whom"), for the
// caseworkers and supervisors who may import or check a file.
func (s *Service) History(ctx context.Context, a actor.Actor, f HistoryFilter) (History, error) {
	if err := mayImport(a, true); err != nil {
		return History{}, err
	}
	scope, args := a.Scope("i.org_path")
	out := History{Items: []Past{}}
	if err := sqlx.GetContext(ctx, s.DB.R, &out.Total, "SELECT count(*) FROM imports i WHERE "+scope, args...); err != nil {
		return History{}, err
	}
	page, per := store.Paging(f.Page, f.PerPage)
	if err := sqlx.SelectContext(ctx, s.DB.R, &out.Items, `SELECT i.id, i.file_name, i.format, i.size, i.state,
		coalesce(u.name, '') AS created_by_name, i.created_at, i.rows_total, i.rows_refused, i.households, i.created, i.updated,
		i.unchanged, i.review FROM imports i LEFT JOIN users u ON u.id = i.created_by WHERE `+scope+`
		ORDER BY i.id DESC LIMIT ? OFFSET ?`, append(args, per, (page-1)*per)...); err != nil {
		return History{}, err
	}
	return out, nil
}
