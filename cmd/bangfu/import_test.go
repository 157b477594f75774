package main

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"bangfu/internal/demo"
)

var surveyHeader = []string{"姓名", "身份证号", "与户主关系", "户主身份证号", "联系电话", "所属工会", "家庭住址", "月收入", "困难原因", "银行卡号"}

// surveyID is a distinct valid ID number for each n < 75,000.
func surveyID(n int) string {
	region := []string{"330108", "330106", "330105", "330102", "330110"}[n/15000%5]
	return demo.ResidentID(region, time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, n%15000), 1+n%900, n%2 == 0)
}

func surveyHead(name string, n int) []string {
	return []string{name, surveyID(n), "本人", "", "13812345678", "江南建设工程有限公司工会", "滨江区西兴街道 1 号", "1500", "因病",
		demo.BankCard("622202", n)}
}

// writeSurvey writes a CSV survey list of rows (after the header) and returns its path.
func writeSurvey(t *testing.T, rows ...[]string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "摸底排查.csv")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := csv.NewWriter(f)
	w.Write(surveyHeader)
	w.WriteAll(rows)
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestImport_HelpNamesTheFlags(t *testing.T) {
	code, out, err := bangfu(t, "", "import", "--help")
	if code != 0 || err != nil {
		t.Fatalf("exit %d, %v", code, err)
	}
	for _, w := range []string{"-dry-run", "-org", "-as", "-db"} {
		if !strings.Contains(out, w) {
			t.Errorf("help lacks %s:\n%s", w, out)
		}
	}
}

func TestImport_DryRunThenRealRunThenTheSameFileAgain(t *testing.T) {
	db := seededDB(t)
	member := []string{"李秀英", surveyID(2), "配偶", surveyID(1), "", "", "", "0", "", ""}
	file := writeSurvey(t, surveyHead("张建华", 1), member, surveyHead("王强", 3))

	code, out, err := bangfu(t, "", "import", "--db", db, "--dry-run", "--as", "caseworker1", file)
	if code != 0 || err != nil {
		t.Fatalf("dry run: exit %d, %v\n%s", code, err, out)
	}
	for _, w := range []string{"试导入（不写入）", "第 2 行\t新建\t张建华", "家庭成员 1 人", "试导入通过", "新建 2 户"} {
		if !strings.Contains(out, w) {
			t.Errorf("dry-run report lacks %q:\n%s", w, out)
		}
	}
	if strings.Contains(out, surveyID(1)) {
		t.Errorf("the report shows a full ID number:\n%s", out)
	}
	if n := countRows(t, db, "SELECT count(*) FROM households"); n != 0 {
		t.Fatalf("a dry run wrote %d households", n)
	}

	code, out, err = bangfu(t, "", "import", "--db", db, "--as", "caseworker1", file)
	if code != 0 || err != nil {
		t.Fatalf("real run: exit %d, %v\n%s", code, err, out)
	}
	if !strings.Contains(out, "已导入") || !strings.Contains(out, "档案 ") {
		t.Errorf("real-run report:\n%s", out)
	}
	if n := countRows(t, db, "SELECT count(*) FROM households WHERE status = 'draft'"); n != 2 {
		t.Fatalf("%d draft households after the real run", n)
	}
	if n := countRows(t, db, "SELECT count(*) FROM audit_events WHERE action = 'import.run'"); n != 1 {
		t.Errorf("%d import.run events", n)
	}

	code, out, err = bangfu(t, "", "import", "--db", db, "--as", "caseworker1", file)
	if code != 0 || err != nil || !strings.Contains(out, "没有任何改动") || !strings.Contains(out, "无变化") {
		t.Fatalf("the same file again: exit %d, %v\n%s", code, err, out)
	}
	if n := countRows(t, db, "SELECT count(*) FROM households"); n != 2 {
		t.Fatalf("%d households after the second run", n)
	}
	code, _, err = bangfu(t, "", "audit", "verify", "--db", db)
	if code != 0 || err != nil {
		t.Fatalf("audit verify after the imports: exit %d, %v", code, err)
	}
}

func TestImport_ARefusedRowExitsOneAndWritesNothing(t *testing.T) {
	db := seededDB(t)
	bad := surveyHead("王强", 3)
	bad[1] = bad[1][:17] + map[bool]string{true: "0", false: "1"}[bad[1][17] != '0']
	noCause := surveyHead("赵磊", 5)
	noCause[8] = "运气不好"
	file := writeSurvey(t, surveyHead("张建华", 1), bad, noCause)
	for _, dry := range []bool{true, false} {
		args := []string{"import", "--db", db, "--as", "caseworker1", file}
		if dry {
			args = append(args, "--dry-run")
			args[len(args)-1], args[len(args)-2] = args[len(args)-2], args[len(args)-1] // flags before the file
		}
		code, out, err := bangfu(t, "", args...)
		if code != 1 || err == nil {
			t.Fatalf("dry %v: exit %d, %v; want 1\n%s", dry, code, err, out)
		}
		for _, w := range []string{"第 3 行「身份证号」", "第 4 行「困难原因」「运气不好」无法识别", "其中 2 行有误"} {
			if !strings.Contains(out, w) {
				t.Errorf("dry %v: report lacks %q:\n%s", dry, w, out)
			}
		}
	}
	if n := countRows(t, db, "SELECT count(*) FROM households"); n != 0 {
		t.Fatalf("a refused file wrote %d households", n)
	}
	if n := countRows(t, db, "SELECT count(*) FROM imports"); n != 0 {
		t.Fatalf("a refused file wrote %d import rows", n)
	}
}

func TestImport_RefusesWithoutAUserWithTheRoleOrInTheScope(t *testing.T) {
	db := seededDB(t)
	file := writeSurvey(t, surveyHead("张建华", 1))
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"import", "--db", db, file}, "--as"},
		{[]string{"import", "--db", db, "--as", "nobody", file}, "不存在"},
		{[]string{"import", "--db", db, "--as", "finance1", file}, "经办人"},
		{[]string{"import", "--db", db, "--as", "supervisor1", file}, "经办人"},
		{[]string{"import", "--db", db, "--as", "caseworker1", "--org", "BJ-XX-GH-01", file}, "不在你的范围内"},
		{[]string{"import", "--db", db, "--as", "caseworker1", filepath.Join(t.TempDir(), "missing.csv")}, "无法读取文件"},
		{[]string{"import", "--db", db, "--as", "caseworker1"}, "文件"},
	}
	for _, tt := range tests {
		code, out, err := bangfu(t, "", tt.args...)
		if code != 2 || err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: exit %d, %v; want 2 and %q\n%s", tt.args[3:], code, err, tt.want, out)
		}
	}
	// The supervisor may check a file.
	if code, out, err := bangfu(t, "", "import", "--db", db, "--as", "supervisor1", "--dry-run", file); code != 0 {
		t.Errorf("supervisor's dry run: exit %d, %v\n%s", code, err, out)
	}
	if n := countRows(t, db, "SELECT count(*) FROM households"); n != 0 {
		t.Fatalf("%d households written", n)
	}
}
