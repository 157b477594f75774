package importer

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"bangfu/internal/actor"
	"bangfu/internal/clock"
	"bangfu/internal/demotest"
	"bangfu/internal/store"
)

var testNow = time.Date(2026, 3, 10, 9, 0, 0, 0, clock.China)

// fixture is a database with the demo orgs and users and an import service on a manual clock.
type fixture struct {
	t   *testing.T
	db  *store.DB
	svc *Service
	dir string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	clk := clock.NewManual(testNow)
	db := demotest.Seed(t, clk)
	return &fixture{t: t, db: db, svc: &Service{DB: db, Clock: clk}, dir: t.TempDir()}
}

// as returns the actor of a demo user.
func (f *fixture) as(username string) actor.Actor {
	f.t.Helper()
	return demotest.Actor(f.t, f.db, username)
}

func (f *fixture) count(table string) int {
	f.t.Helper()
	var n int
	if err := f.db.R.Get(&n, "SELECT count(*) FROM "+table); err != nil {
		f.t.Fatal(err)
	}
	return n
}

func (f *fixture) run(a actor.Actor, path string, dry bool) (Report, error) {
	return f.svc.Import(context.Background(), a, path, Options{FileName: filepath.Base(path), DryRun: dry})
}

// testID makes a valid resident ID number born on birth ("19800101") with sequence seq; odd seq is male.
func testID(region, birth string, seq int) string {
	body := fmt.Sprintf("%s%s%03d", region, birth, seq%1000)
	sum, w := 0, 1
	for k := 16; k >= 0; k-- {
		w = w * 2 % 11
		sum += int(body[k]-'0') * w
	}
	return body + string("10X98765432"[sum%11])
}

// luhn completes a bank card number with its check digit.
func luhn(body string) string {
	sum := 0
	for i := range len(body) {
		d := int(body[len(body)-1-i] - '0')
		if i%2 == 0 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return body + fmt.Sprint((10-sum%10)%10)
}

var header = []string{"姓名", "身份证号", "与户主关系", "户主身份证号", "性别", "联系电话", "所属工会", "工作单位", "家庭住址",
	"月收入", "困难原因", "开户银行", "银行卡号"}

const union1, union2, foreignUnion = "江南建设工程有限公司工会", "悦来餐饮管理有限公司工会", "顺达物流有限公司工会"

// headRow and memberRow are rows of the header above.
func headRow(name, id, union string) []string {
	return []string{name, id, "本人", "", "男", "13812345678", union, "江南建设", "滨江区西兴街道 1 号", "1500", "因病",
		"中国工商银行", luhn("62220200" + id[12:17] + "00")}
}

func memberRow(name, id, headID, relation string) []string {
	return []string{name, id, relation, headID, "", "", "", "", "", "0", "", "", ""}
}

// sample is three households: a head with a wife and a child, a single head, and a head with a parent.
func sample() [][]string {
	h1, h2, h3 := testID("330108", "19800101", 11), testID("330108", "19750505", 13), testID("330108", "19900202", 15)
	return [][]string{
		header,
		headRow("张建华", h1, union1),
		memberRow("李秀英", testID("330108", "19820303", 22), h1, "配偶"),
		memberRow("张小明", testID("330108", "20100606", 31), h1, "子女"),
		headRow("王强", h2, union1),
		headRow("赵磊", h3, union2),
		memberRow("赵大山", testID("330108", "19550707", 41), h3, "父亲"),
	}
}

func (f *fixture) xlsx(name string, rows [][]string) string {
	f.t.Helper()
	x := excelize.NewFile()
	defer x.Close()
	sw, err := x.NewStreamWriter("Sheet1")
	if err != nil {
		f.t.Fatal(err)
	}
	for i, r := range rows {
		cells := make([]any, len(r))
		for j, c := range r {
			cells[j] = c
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := sw.SetRow(cell, cells); err != nil {
			f.t.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		f.t.Fatal(err)
	}
	path := filepath.Join(f.dir, name)
	if err := x.SaveAs(path); err != nil {
		f.t.Fatal(err)
	}
	return path
}

func csvBytes(t testing.TB, rows [][]string) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	if err := w.WriteAll(rows); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// csv writes rows as CSV in encoding "utf8", "bom" or "gb18030".
func (f *fixture) csv(name, encoding string, rows [][]string) string {
	f.t.Helper()
	b := csvBytes(f.t, rows)
	switch encoding {
	case "bom":
		b = append([]byte{0xEF, 0xBB, 0xBF}, b...)
	case "gb18030":
		var err error
		if b, err = simplifiedchinese.GB18030.NewEncoder().Bytes(b); err != nil {
			f.t.Fatal(err)
		}
	}
	path := filepath.Join(f.dir, name)
	if err := os.WriteFile(path, b, 0o600); err != nil {
		f.t.Fatal(err)
	}
	return path
}
