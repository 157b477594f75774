package importer

import (
	"context"
	"testing"

	"bangfu/internal/apperr"
)

// The history lists the runs written in the reader's scope, newest first, with who ran them; a union beside
// it sees none of them, and roles that may not import are refused.
func TestHistory_ListsWrittenRunsInScopeNewestFirst(t *testing.T) {
	f := newFixture(t)
	cw := f.as("caseworker1")
	if _, err := f.run(cw, f.xlsx("dry.xlsx", sample()), true); err != nil {
		t.Fatal(err)
	}
	if _, err := f.run(cw, f.xlsx("first.xlsx", sample()), false); err != nil {
		t.Fatal(err)
	}
	if _, err := f.run(cw, f.xlsx("again.xlsx", sample()), false); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, who := range []string{"caseworker1", "supervisor1", "supervisor2"} {
		h, err := f.svc.History(ctx, f.as(who), HistoryFilter{})
		if err != nil {
			t.Fatalf("%s: %v", who, err)
		}
		if h.Total != 2 || len(h.Items) != 2 || h.Items[0].FileName != "again.xlsx" || h.Items[1].FileName != "first.xlsx" {
			t.Fatalf("%s: %+v", who, h)
		}
		first := h.Items[1]
		if first.By == "" || first.Rows != 6 || first.Households != 3 || first.Created != 3 || h.Items[0].Unchanged != 3 {
			t.Fatalf("%s: first %+v, again %+v", who, first, h.Items[0])
		}
	}
	other, err := f.svc.History(ctx, f.as("caseworker2"), HistoryFilter{})
	if err != nil || other.Total != 0 || len(other.Items) != 0 {
		t.Fatalf("caseworker2 of another union: %+v, %v", other, err)
	}
	page, err := f.svc.History(ctx, cw, HistoryFilter{Page: 2, PerPage: 1})
	if err != nil || page.Total != 2 || len(page.Items) != 1 || page.Items[0].FileName != "first.xlsx" {
		t.Fatalf("page 2: %+v, %v", page, err)
	}
	for _, who := range []string{"finance1", "auditor1", "admin"} {
		if _, err := f.svc.History(ctx, f.as(who), HistoryFilter{}); apperr.CodeOf(err) != apperr.Forbidden {
			t.Errorf("%s: %v, want forbidden", who, err)
		}
	}
}
