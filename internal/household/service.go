package household

import (
	"context"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"

	"bangfu/internal/actor"
	"bangfu/internal/apperr"
	"bangfu/internal/audit"
	"bangfu/internal/clock"
	"bangfu/internal/ident"
	"bangfu/internal/jsonenc"
	"bangfu/internal/store"
)

// Service is the household area's entry point for the HTTP API, the command line, demo data and imports.
// Each method checks the actor's role before it looks at the input, and the household's scope before it
// reveals it; writes run in one transaction with their audit event. Other areas that change a household as
// part of their own change (relief opens a file alongside a green-channel case) call CreateTx and ActTx
// inside their transaction instead.
type Service struct {
	DB    *store.DB
	Clock clock.Clock
}

// CanRead refuses the roles that read no household files: SPEC §1.2, admin manages users, orgs and policy
// versions and reads no case data.
func CanRead(a actor.Actor) error { return a.Require(caseReaders...) }

// Detail is a household with the actions the current user may take on it now.
type Detail struct {
	Household
	Actions []string `json:"actions"` // exactly the actions the current user may take now, in table order
}

// MarshalJSON keeps Household's masking (an embedded type's MarshalJSON would otherwise be promoted and
// drop the actions): the household's object with "actions" added as its last member.
func (d Detail) MarshalJSON() ([]byte, error) {
	b := d.Household.AppendJSON(make([]byte, 0, 2048))
	b = jsonenc.Strings(jsonenc.Key(b[:len(b)-1], "actions"), d.Actions)
	return append(b, '}'), nil
}

func (s *Service) detail(a actor.Actor, h Household, now time.Time) Detail {
	h.At(now)
	return Detail{Household: h, Actions: Actions(a, &h, now)}
}

// read returns household id for a reader in scope.
func (s *Service) read(ctx context.Context, q sqlx.QueryerContext, a actor.Actor, id int64) (Household, error) {
	if err := CanRead(a); err != nil {
		return Household{}, err
	}
	return Get(ctx, q, a, id)
}

// List searches the households in a's scope (SPEC §9.2).
func (s *Service) List(ctx context.Context, a actor.Actor, f Filter) (Page, error) {
	if err := CanRead(a); err != nil {
		return Page{}, err
	}
	return List(ctx, s.DB.R, a, s.Clock.Now(), f)
}

// Get returns household id with its members and the actions a may take.
func (s *Service) Get(ctx context.Context, a actor.Actor, id int64) (Detail, error) {
	h, err := s.read(ctx, s.DB.R, a, id)
	if err != nil {
		return Detail{}, err
	}
	return s.detail(a, h, s.Clock.Now()), nil
}

// Members lists the members of household id.
func (s *Service) Members(ctx context.Context, a actor.Actor, id int64) ([]Member, error) {
	h, err := s.read(ctx, s.DB.R, a, id)
	return h.Members, err
}

// Create registers a new draft household (SPEC §3.1). Caseworkers only.
func (s *Service) Create(ctx context.Context, a actor.Actor, in Input) (Detail, error) {
	if err := a.Require(actor.Caseworker); err != nil {
		return Detail{}, err
	}
	now := s.Clock.Now()
	// The input's own rules (SPEC §3.1: ID check digits, card, phone, members) depend on nothing stored, so they
	// are checked before the write rather than on the single writer's time; insert checks the rest inside it.
	if err := in.check(now.In(clock.China)); err != nil {
		return Detail{}, err
	}
	h, err := store.InTx(ctx, s.DB, func(tx *sqlx.Tx) (Household, error) {
		return insert(ctx, tx, a, now, in, 0, "household.create")
	})
	if err != nil {
		return Detail{}, err
	}
	return s.detail(a, h, now), nil
}

// Update saves a caseworker's edit of a draft household.
func (s *Service) Update(ctx context.Context, a actor.Actor, id int64, in Input) (Detail, error) {
	if err := a.Require(actor.Caseworker); err != nil {
		return Detail{}, err
	}
	now := s.Clock.Now()
	h, err := store.InTx(ctx, s.DB, func(tx *sqlx.Tx) (Household, error) { return update(ctx, tx, a, now, id, in) })
	if err != nil {
		return Detail{}, err
	}
	return s.detail(a, h, now), nil
}

// Act takes a lifecycle action on household id (see Lifecycle) and returns the household after it (for
// reopen: the new file).
func (s *Service) Act(ctx context.Context, a actor.Actor, id int64, action string, in ActionInput) (Detail, error) {
	now := s.Clock.Now()
	h, err := store.InTx(ctx, s.DB, func(tx *sqlx.Tx) (Household, error) { return ActTx(ctx, tx, a, now, id, action, in) })
	if err != nil {
		return Detail{}, err
	}
	return s.detail(a, h, now), nil
}

// DuplicateGrant is the input for GrantDuplicate.
type DuplicateGrant struct {
	IDNumber string `json:"id_number" validate:"required,max=18"`
	Reason   string `json:"reason" validate:"required,max=500"`
}

// GrantDuplicate lets a supervisor allow one more open file with an ID number that already has one
// (SPEC §3.3), with a reason; audited. The next save that meets the duplicate uses the grant.
func (s *Service) GrantDuplicate(ctx context.Context, a actor.Actor, in DuplicateGrant) error {
	if err := a.Require(actor.Supervisor); err != nil {
		return err
	}
	now := s.Clock.Now()
	idNumber := strings.ToUpper(strings.TrimSpace(in.IDNumber))
	reason := strings.TrimSpace(in.Reason)
	if _, err := ident.ParseResidentID(idNumber, now.In(clock.China)); err != nil {
		return apperr.Invalid("id_number", apperr.From(err).Message)
	}
	if utf8.RuneCountInString(reason) < 2 {
		return apperr.Invalid("reason", "请填写授权重复建档的理由")
	}
	return s.DB.Write(ctx, func(tx *sqlx.Tx) error { return grantDuplicate(ctx, tx, a, now, idNumber, reason) })
}

// Visits lists the home visits of household id.
func (s *Service) Visits(ctx context.Context, a actor.Actor, id int64) ([]Visit, error) {
	if _, err := s.read(ctx, s.DB.R, a, id); err != nil {
		return nil, err
	}
	return visits(ctx, s.DB.R, id)
}

// Objections lists the publicity objections of household id.
func (s *Service) Objections(ctx context.Context, a actor.Actor, id int64) ([]Objection, error) {
	if _, err := s.read(ctx, s.DB.R, a, id); err != nil {
		return nil, err
	}
	return objections(ctx, s.DB.R, id)
}

// History is the audit timeline of household id, newest first.
func (s *Service) History(ctx context.Context, a actor.Actor, id int64, p audit.Paging) (audit.EventPage, error) {
	if _, err := s.read(ctx, s.DB.R, a, id); err != nil {
		return audit.EventPage{}, err
	}
	return audit.History(ctx, s.DB.R, a, "household", id, p)
}

// Reveal returns the full numbers of household id to the roles that may read them; audited (SPEC §7).
func (s *Service) Reveal(ctx context.Context, a actor.Actor, id int64) (Revealed, error) {
	if err := a.Require(caseReaders...); err != nil {
		return Revealed{}, err
	}
	now := s.Clock.Now()
	return store.InTx(ctx, s.DB, func(tx *sqlx.Tx) (Revealed, error) {
		h, err := Get(ctx, tx, a, id)
		if err != nil {
			return Revealed{}, err
		}
		if err := Can(a, h.At(now), ActReveal, now); err != nil {
			return Revealed{}, err
		}
		return reveal(ctx, tx, a, now, &h)
	})
}

// Documents lists the documents of household id, removed ones included (they show as removed).
func (s *Service) Documents(ctx context.Context, a actor.Actor, id int64) ([]Document, error) {
	if _, err := s.read(ctx, s.DB.R, a, id); err != nil {
		return nil, err
	}
	return documents(ctx, s.DB.R, id)
}

// AddDocument stores a document of household id (SPEC §3.1); caseworkers and supervisors of an open file.
func (s *Service) AddDocument(ctx context.Context, a actor.Actor, id int64, kind, filename string, content []byte) (Document, error) {
	if err := a.Require(caseOrSup...); err != nil {
		return Document{}, err
	}
	mime, err := checkDocument(kind, content)
	if err != nil {
		return Document{}, err
	}
	now := s.Clock.Now()
	return store.InTx(ctx, s.DB, func(tx *sqlx.Tx) (Document, error) {
		h, err := Get(ctx, tx, a, id)
		if err != nil {
			return Document{}, err
		}
		if err := Can(a, h.At(now), ActDocuments, now); err != nil {
			return Document{}, err
		}
		return addDocument(ctx, tx, a, now, &h, kind, mime, filename, content)
	})
}

// StoredDocument is a document with its bytes.
type StoredDocument struct {
	Document
	Content []byte
}

// DocumentContent returns a live document of household id with its bytes; the read is audited.
func (s *Service) DocumentContent(ctx context.Context, a actor.Actor, id, docID int64) (StoredDocument, error) {
	if err := CanRead(a); err != nil {
		return StoredDocument{}, err
	}
	now := s.Clock.Now()
	return store.InTx(ctx, s.DB, func(tx *sqlx.Tx) (StoredDocument, error) {
		h, err := Get(ctx, tx, a, id)
		if err != nil {
			return StoredDocument{}, err
		}
		doc, content, err := documentContent(ctx, tx, a, now, &h, docID)
		return StoredDocument{Document: doc, Content: content}, err
	})
}

// DeleteDocument removes a document of household id softly, with a reason.
func (s *Service) DeleteDocument(ctx context.Context, a actor.Actor, id, docID int64, reason string) error {
	if err := a.Require(caseOrSup...); err != nil {
		return err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return apperr.Invalid("reason", "请填写删除原因")
	}
	now := s.Clock.Now()
	return s.DB.Write(ctx, func(tx *sqlx.Tx) error {
		h, err := Get(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if err := Can(a, h.At(now), ActDocuments, now); err != nil {
			return err
		}
		return deleteDocument(ctx, tx, a, now, &h, docID, reason)
	})
}

// HolidayFilter picks the holidays of a year ("2026"; "" for all).
type HolidayFilter struct {
	Year string `query:"year"`
}

// Holidays lists the holidays f picks, in date order. Every user reads them: they set the publicity
// deadlines everyone sees.
func (s *Service) Holidays(ctx context.Context, _ actor.Actor, f HolidayFilter) ([]Holiday, error) {
	year := f.Year
	if _, err := strconv.Atoi(year); year != "" && (err != nil || len(year) != 4) {
		return nil, apperr.Invalid("year", "年份应为四位数字")
	}
	return holidays(ctx, s.DB.R, year)
}

// SetHoliday adds a holiday or renames one. Admins only; audited.
func (s *Service) SetHoliday(ctx context.Context, a actor.Actor, h Holiday) (Holiday, error) {
	if err := a.Require(actor.Admin); err != nil {
		return Holiday{}, err
	}
	if err := checkHoliday(&h); err != nil {
		return Holiday{}, err
	}
	now := s.Clock.Now()
	return h, s.DB.Write(ctx, func(tx *sqlx.Tx) error { return setHoliday(ctx, tx, a, now, h) })
}

// DeleteHoliday removes a holiday. Admins only; audited.
func (s *Service) DeleteHoliday(ctx context.Context, a actor.Actor, date string) error {
	if err := a.Require(actor.Admin); err != nil {
		return err
	}
	now := s.Clock.Now()
	return s.DB.Write(ctx, func(tx *sqlx.Tx) error { return deleteHoliday(ctx, tx, a, now, date) })
}
