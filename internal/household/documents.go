package household

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"

	"bangfu/internal/actor"
	"bangfu/internal/apperr"
	"bangfu/internal/audit"
	"bangfu/internal/store"
)

// MaxDocumentSize is the largest document accepted (SPEC §3.1: size-limited).
const MaxDocumentSize = 10 << 20

// DocumentKindOrder lists the document kinds in display order; DocumentKinds are their Chinese names.
var DocumentKindOrder = []string{"id_scan", "statement", "household_register", "income_proof", "dibao_certificate",
	"diagnosis", "receipt", "admission_letter", "consent", "visit_record", "publicity_record", "other"}

// DocumentKinds are the kinds of SPEC §3.1 with their Chinese names.
var DocumentKinds = map[string]string{
	"id_scan": "身份证复印件", "household_register": "户口簿", "income_proof": "收入证明", "dibao_certificate": "低保证",
	"diagnosis": "诊断证明", "receipt": "医疗费用票据", "admission_letter": "录取通知书", "consent": "核对授权书",
	"visit_record": "入户走访记录", "publicity_record": "公示记录", "statement": "本人签字承诺书", "other": "其他材料",
}

// Document is a stored document's metadata; content is read apart.
type Document struct {
	ID           int64          `db:"id" json:"id"`
	HouseholdID  int64          `db:"household_id" json:"household_id"`
	Kind         string         `db:"kind" json:"kind"`
	Filename     string         `db:"filename" json:"filename"`
	MIME         string         `db:"mime" json:"mime"`
	Size         int64          `db:"size" json:"size"`
	SHA256       string         `db:"sha256" json:"sha256"`
	UploadedBy   string         `db:"uploaded_by_name" json:"uploaded_by"`
	UploadedAt   string         `db:"uploaded_at" json:"uploaded_at"`
	DeletedAtRaw sql.NullString `db:"deleted_at" json:"-"`
	DeletedAt    string         `db:"-" json:"deleted_at"`
	DeleteReason string         `db:"delete_reason" json:"delete_reason"`
}

// sniff returns the type of content by its bytes, never by its name or the client's word: only JPEG, PNG
// and PDF are kept.
func sniff(content []byte) (string, error) {
	mime := http.DetectContentType(content)
	switch mime {
	case "image/jpeg", "image/png", "application/pdf":
		return mime, nil
	}
	return "", apperr.Invalid("file", "只能上传 JPG、PNG 图片或 PDF 文件")
}

// checkDocument refuses an upload before anything is stored: an unknown kind, an empty or too large file, a
// type other than JPEG, PNG or PDF. It returns the sniffed type.
func checkDocument(kind string, content []byte) (string, error) {
	if _, ok := DocumentKinds[kind]; !ok {
		return "", apperr.Invalid("kind", "请选择材料类型")
	}
	if len(content) == 0 {
		return "", apperr.Invalid("file", "请选择要上传的文件")
	}
	if len(content) > MaxDocumentSize {
		return "", apperr.New(apperr.TooLarge, "文件过大，单个文件不能超过 %d MB", MaxDocumentSize>>20)
	}
	return sniff(content)
}

// addDocument stores a document of h with its SHA-256, sniffed type and size inside tx; audited.
func addDocument(ctx context.Context, tx *sqlx.Tx, a actor.Actor, now time.Time, h *Household, kind, mime, filename string, content []byte) (Document, error) {
	sum := sha256.Sum256(content)
	res, err := tx.ExecContext(ctx, `INSERT INTO household_documents (household_id, kind, filename, mime, size,
		sha256, uploaded_by, uploaded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, h.ID, kind, cleanName(filename), mime,
		len(content), hex.EncodeToString(sum[:]), a.UserID, store.FormatTime(now))
	if err != nil {
		return Document{}, err
	}
	docID, _ := res.LastInsertId()
	if _, err := tx.ExecContext(ctx, "INSERT INTO document_blobs (document_id, content) VALUES (?, ?)", docID, content); err != nil {
		return Document{}, err
	}
	doc, err := getDocument(ctx, tx, h.ID, docID)
	if err != nil {
		return Document{}, err
	}
	return doc, audit.Record(ctx, tx, a, now, audit.Entry{Action: "household.document_upload", EntityType: "household",
		EntityID: fmt.Sprint(h.ID), OrgID: h.OrgID, OrgPath: h.OrgPath, After: doc})
}

// cleanName keeps the base name of an uploaded file, without control characters, at most 100 characters.
func cleanName(name string) string {
	name = filepath.Base(strings.ReplaceAll(name, `\`, "/"))
	name = strings.Map(func(r rune) rune {
		if r < 32 || r == 127 || r == '"' {
			return -1
		}
		return r
	}, name)
	if name == "." || name == "/" || name == "" {
		name = "文件"
	}
	for utf8.RuneCountInString(name) > 100 {
		r := []rune(name)
		name = string(r[len(r)-100:])
	}
	return name
}

const selectDocument = `SELECT d.id, d.household_id, d.kind, d.filename, d.mime, d.size, d.sha256,
	coalesce(u.name, '') AS uploaded_by_name, d.uploaded_at, d.deleted_at, d.delete_reason
	FROM household_documents d LEFT JOIN users u ON u.id = d.uploaded_by`

func getDocument(ctx context.Context, q sqlx.QueryerContext, householdID, docID int64) (Document, error) {
	d, err := store.Get[Document](ctx, q, "材料不存在", selectDocument+" WHERE d.id = ? AND d.household_id = ?", docID, householdID)
	if err != nil {
		return d, err
	}
	d.DeletedAt = d.DeletedAtRaw.String
	return d, nil
}

// documents lists the documents of household id, removed ones included (they show as removed); the caller
// has checked scope.
func documents(ctx context.Context, q sqlx.QueryerContext, id int64) ([]Document, error) {
	docs := []Document{}
	if err := sqlx.SelectContext(ctx, q, &docs, selectDocument+" WHERE d.household_id = ? ORDER BY d.id", id); err != nil {
		return nil, err
	}
	for i := range docs {
		docs[i].DeletedAt = docs[i].DeletedAtRaw.String
	}
	return docs, nil
}

// documentContent returns a live document of h and its bytes; the read is audited, since scans carry full
// identity numbers (SPEC §7). Removed documents are kept for audit but not served.
func documentContent(ctx context.Context, tx *sqlx.Tx, a actor.Actor, now time.Time, h *Household, docID int64) (Document, []byte, error) {
	doc, err := getDocument(ctx, tx, h.ID, docID)
	if err != nil {
		return Document{}, nil, err
	}
	if doc.DeletedAt != "" {
		return Document{}, nil, apperr.NotFoundf("材料已删除")
	}
	var content []byte
	if err := tx.GetContext(ctx, &content, "SELECT content FROM document_blobs WHERE document_id = ?", docID); err != nil {
		return Document{}, nil, err
	}
	return doc, content, audit.Record(ctx, tx, a, now, audit.Entry{Action: "household.document_read", EntityType: "household",
		EntityID: fmt.Sprint(h.ID), OrgID: h.OrgID, OrgPath: h.OrgPath, After: map[string]any{"document_id": docID}})
}

// deleteDocument removes a document of h softly with a reason inside tx: it disappears from use, its row and
// content stay.
func deleteDocument(ctx context.Context, tx *sqlx.Tx, a actor.Actor, now time.Time, h *Household, docID int64, reason string) error {
	before, err := getDocument(ctx, tx, h.ID, docID)
	if err != nil {
		return err
	}
	if before.DeletedAt != "" {
		return apperr.Conflictf("材料已删除")
	}
	if _, err := tx.ExecContext(ctx, `UPDATE household_documents SET deleted_by = ?, deleted_at = ?, delete_reason = ?
		WHERE id = ?`, a.UserID, store.FormatTime(now), reason, docID); err != nil {
		return err
	}
	after, err := getDocument(ctx, tx, h.ID, docID)
	if err != nil {
		return err
	}
	return audit.Record(ctx, tx, a, now, audit.Entry{Action: "household.document_delete", EntityType: "household",
		EntityID: fmt.Sprint(h.ID), OrgID: h.OrgID, OrgPath: h.OrgPath, Before: before, After: after, Reason: reason})
}
