package household

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"

	"bangfu/internal/actor"
	"bangfu/internal/apperr"
	"bangfu/internal/audit"
)

// Holiday is a public holiday (法定节假日) that publicity periods skip besides weekends.
type Holiday struct {
	Date string `db:"date" json:"date" validate:"required,datetime=2006-01-02"`
	Name string `db:"name" json:"name" validate:"required,max=50"`
}

// holidays lists the holidays of a year ("2026"; "" for all), in date order.
func holidays(ctx context.Context, q sqlx.QueryerContext, year string) ([]Holiday, error) {
	hs := []Holiday{}
	err := sqlx.SelectContext(ctx, q, &hs, "SELECT date, name FROM holidays WHERE date LIKE ? ORDER BY date", year+"%")
	return hs, err
}

// checkHoliday normalises and checks a holiday before it is saved.
func checkHoliday(h *Holiday) error {
	h.Name = strings.TrimSpace(h.Name)
	if _, err := time.Parse("2006-01-02", h.Date); err != nil {
		return apperr.Invalid("date", "日期格式应为 2006-01-02")
	}
	if utf8.RuneCountInString(h.Name) == 0 || utf8.RuneCountInString(h.Name) > 50 {
		return apperr.Invalid("name", "请填写节日名称（不超过50字）")
	}
	return nil
}

func setHoliday(ctx context.Context, tx *sqlx.Tx, a actor.Actor, now time.Time, h Holiday) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO holidays (date, name) VALUES (?, ?)
		ON CONFLICT (date) DO UPDATE SET name = excluded.name`, h.Date, h.Name); err != nil {
		return err
	}
	return audit.Record(ctx, tx, a, now, audit.Entry{Action: "holiday.update", EntityType: "holiday",
		EntityID: h.Date, OrgPath: "/", After: h})
}

func deleteHoliday(ctx context.Context, tx *sqlx.Tx, a actor.Actor, now time.Time, date string) error {
	var h Holiday
	if err := tx.GetContext(ctx, &h, "SELECT date, name FROM holidays WHERE date = ?", date); err != nil {
		return apperr.NotFoundf("该日期不是已设置的节假日")
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM holidays WHERE date = ?", date); err != nil {
		return err
	}
	return audit.Record(ctx, tx, a, now, audit.Entry{Action: "holiday.delete", EntityType: "holiday",
		EntityID: date, OrgPath: "/", Before: h})
}

// AddWorkingDays returns the n-th working day of a period that starts on start ("2006-01-02"; it counts as
// the first day when it is a working day). Saturdays, Sundays and the given holidays are not working days.
func AddWorkingDays(start string, n int, holidays map[string]bool) (string, error) {
	d, err := time.Parse("2006-01-02", start)
	if err != nil {
		return "", apperr.Invalid("start_date", "日期格式应为 2006-01-02")
	}
	if n < 1 {
		n = 1
	}
	for counted := 0; ; d = d.AddDate(0, 0, 1) {
		day := d.Format("2006-01-02")
		if wd := d.Weekday(); wd == time.Saturday || wd == time.Sunday || holidays[day] {
			continue
		}
		if counted++; counted == n {
			return day, nil
		}
	}
}

// PublicityEnd is the last day of a publicity period of n working days from start (SPEC §3.3).
func PublicityEnd(ctx context.Context, q sqlx.QueryerContext, start string, n int) (string, error) {
	var days []string
	// n working days fit in n weeks plus a generous margin for holidays.
	if err := sqlx.SelectContext(ctx, q, &days, "SELECT date FROM holidays WHERE date >= ? AND date <= date(?, '+' || ? || ' days')",
		start, start, n*7+60); err != nil {
		return "", err
	}
	hs := map[string]bool{}
	for _, d := range days {
		hs[d] = true
	}
	return AddWorkingDays(start, n, hs)
}
