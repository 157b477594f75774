package importer

import (
	"context"
	"slices"
	"strings"
	"testing"

	"bangfu/internal/apperr"
	"bangfu/internal/audit"
	"bangfu/internal/household"
)

func texts(r Report) []string {
	var out []string
	for _, p := range r.Problems {
		out = append(out, p.Text)
	}
	return out
}

func TestImport_DryRunReportsWhatARealRunWouldDoAndWritesNothing(t *testing.T) {
	f := newFixture(t)
	r, err := f.run(f.as("caseworker1"), f.xlsx("survey.xlsx", sample()), true)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Problems) != 0 {
		t.Fatalf("problems: %v", texts(r))
	}
	if r.Rows != 6 || r.Households != 3 || r.Create != 3 || r.Update+r.Unchanged+r.Review != 0 || r.Written {
		t.Fatalf("report %+v", r)
	}
	if r.Format != FormatXLSX || len(r.SHA256) != 64 {
		t.Fatalf("format %q sha %q", r.Format, r.SHA256)
	}
	for _, table := range []string{"households", "household_members", "household_open_ids", "audit_events WHERE action LIKE 'household.%'", "imports"} {
		if n := f.count(table); n != 0 {
			t.Errorf("dry run wrote %d rows to %s", n, table)
		}
	}
	if r.Outcomes[0].Members != 2 || r.Outcomes[0].Category == "" || strings.Contains(r.Outcomes[0].IDNumber, "19800101") {
		t.Errorf("outcome %+v: members, category, masked ID", r.Outcomes[0])
	}
}

func TestImport_RealRunCreatesDraftsWithCategoryAndAuditsEachHouseholdAndTheFile(t *testing.T) {
	f := newFixture(t)
	a := f.as("caseworker1")
	path := f.xlsx("survey.xlsx", sample())
	r, err := f.run(a, path, false)
	if err != nil {
		t.Fatal(err, texts(r))
	}
	if !r.Written || r.Create != 3 || r.ID == 0 {
		t.Fatalf("report %+v", r)
	}
	if n := f.count("households WHERE status = 'draft'"); n != 3 {
		t.Fatalf("%d draft households", n)
	}
	if n := f.count("household_members"); n != 3 {
		t.Fatalf("%d members", n)
	}
	if n := f.count("household_open_ids"); n != 6 {
		t.Fatalf("%d open IDs", n)
	}
	h, err := household.Get(context.Background(), f.db.R, a, r.Outcomes[0].HouseholdID)
	if err != nil {
		t.Fatal(err)
	}
	// 月收入 1500 for the head, 0 for the others: 1500 × 12 a year over 3 persons is 500 a month < 低保 900.
	if h.IncomeWagesFen != 1500*12*100 || h.SuggestedCategory != household.Deep || h.CategoryPolicyID == 0 {
		t.Errorf("income %d category %s policy %d", h.IncomeWagesFen, h.SuggestedCategory, h.CategoryPolicyID)
	}
	if h.Gender != "male" || h.BirthDate != "1980-01-01" || len(h.Members) != 2 || h.Members[0].Relation != "spouse" ||
		h.Members[1].Relation != "child" || h.Note != "开户银行：中国工商银行" || h.OrgName != union1 {
		t.Errorf("household %+v", h)
	}
	if n := f.count("audit_events WHERE action = 'household.create'"); n != 3 {
		t.Errorf("%d household.create events", n)
	}
	var changes string
	if err := f.db.R.Get(&changes, "SELECT changes FROM audit_events WHERE action = 'import.run'"); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"file_name":"survey.xlsx"`, `"sha256":"` + r.SHA256, `"rows":6`, `"create":3`} {
		if !strings.Contains(changes, want) {
			t.Errorf("import event %s lacks %s", changes, want)
		}
	}
	if v, err := audit.Verify(context.Background(), f.db.R); err != nil || !v.OK {
		t.Errorf("audit chain: %+v %v", v, err)
	}
	// The households appear in the household list like any other.
	page, err := household.List(context.Background(), f.db.R, a, testNow, household.Filter{Q: "张建华", Status: "draft", Industry: "other"})
	if err != nil || page.Total != 1 {
		t.Errorf("search finds %d: %v", page.Total, err)
	}
}

func TestImport_SameFileTwiceChangesNothingTheSecondTimeAndSaysSo(t *testing.T) {
	f := newFixture(t)
	a := f.as("caseworker1")
	path := f.xlsx("survey.xlsx", sample())
	if _, err := f.run(a, path, false); err != nil {
		t.Fatal(err)
	}
	events := f.count("audit_events WHERE action LIKE 'household.%'")
	r, err := f.run(a, path, false)
	if err != nil {
		t.Fatal(err, texts(r))
	}
	if r.Create != 0 || r.Update != 0 || r.Unchanged != 3 || !strings.Contains(r.Summary, "没有任何改动") {
		t.Fatalf("second run %+v", r)
	}
	if n := f.count("households"); n != 3 {
		t.Errorf("%d households after the second run", n)
	}
	if n := f.count("audit_events WHERE action LIKE 'household.%'"); n != events {
		t.Errorf("the second run recorded %d household events", n-events)
	}
	// The CSV of the same rows is the same file to the importer.
	r, err = f.run(a, f.csv("survey.csv", "gb18030", sample()), false)
	if err != nil || r.Unchanged != 3 || r.Create+r.Update != 0 {
		t.Fatalf("GB18030 CSV after XLSX: %+v %v", r, err)
	}
}

func TestImport_ChangedRowsUpdateDraftsAndListFiledHouseholdsForReview(t *testing.T) {
	f := newFixture(t)
	a := f.as("caseworker1")
	rows := sample()
	first, err := f.run(a, f.xlsx("v1.xlsx", rows), false)
	if err != nil {
		t.Fatal(err)
	}
	// The second household leaves draft (submitted): an import must never overwrite it.
	wang := first.Outcomes[1].HouseholdID
	if _, err := f.db.W.Exec("UPDATE households SET status = 'submitted' WHERE id = ?", wang); err != nil {
		t.Fatal(err)
	}
	rows[1][5] = "13900001111" // 张建华's phone
	rows[4][8] = "滨江区长河街道 9 号" // 王强's address
	r, err := f.run(a, f.xlsx("v2.xlsx", rows), false)
	if err != nil {
		t.Fatal(err, texts(r))
	}
	if r.Update != 1 || r.Review != 1 || r.Unchanged != 1 {
		t.Fatalf("report %+v", r)
	}
	if o := r.Outcomes[0]; o.Action != Update || !slices.Equal(o.Changed, []string{"联系电话"}) {
		t.Errorf("update outcome %+v", o)
	}
	if o := r.Outcomes[1]; o.Action != Review || !slices.Equal(o.Changed, []string{"家庭住址"}) || o.Status != "已提交" {
		t.Errorf("review outcome %+v", o)
	}
	var phone, address string
	f.db.R.Get(&phone, "SELECT phone FROM households WHERE id = ?", first.Outcomes[0].HouseholdID)
	f.db.R.Get(&address, "SELECT address FROM households WHERE id = ?", wang)
	if phone != "13900001111" || address != "滨江区西兴街道 1 号" {
		t.Errorf("phone %s (updated), address %s (kept)", phone, address)
	}
	var ch string
	f.db.R.Get(&ch, "SELECT changes FROM audit_events WHERE action = 'household.update'")
	if !strings.Contains(ch, "139****1111") {
		t.Errorf("update event %s", ch)
	}
}

// Each kind of bad cell is named with its row and column; the same file run for real writes nothing.
func TestImport_NamesEveryBadCellWithItsRowAndColumn(t *testing.T) {
	f := newFixture(t)
	a := f.as("caseworker1")
	ok := func(seq int) string { return testID("330108", "19800101", seq) }
	badCheck := ok(51)[:17] + map[bool]string{true: "1", false: "2"}[ok(51)[17] != '1']
	cases := []struct {
		name string
		edit func(r []string)
		want string
	}{
		{"checksum", func(r []string) { r[1] = badCheck }, "第 2 行「身份证号」校验位错误"},
		{"short id", func(r []string) { r[1] = "3301081980" }, "第 2 行「身份证号」应为18位"},
		{"excel number", func(r []string) { r[1] = "3.30108E+17" }, "第 2 行「身份证号」被 Excel 存成了数字"},
		{"gender", func(r []string) { r[4] = "女" }, "第 2 行「性别」与身份证号不符"},
		{"gender word", func(r []string) { r[4] = "男性" }, "第 2 行「性别」「男性」无法识别，可填：男、女"},
		{"phone", func(r []string) { r[5] = "12345" }, "第 2 行「联系电话」手机号格式不正确"},
		{"union", func(r []string) { r[6] = foreignUnion }, "第 2 行「所属工会」「" + foreignUnion + "」不存在或不在你的范围内"},
		{"union level", func(r []string) { r[6] = "江汉社区工会联合会" }, "第 2 行「所属工会」「江汉社区工会联合会」不是基层工会"},
		{"no union", func(r []string) { r[6] = "" }, "第 2 行「所属工会」此项为必填"},
		{"address", func(r []string) { r[8] = "" }, "第 2 行「家庭住址」此项为必填"},
		{"income", func(r []string) { r[9] = "一千" }, "第 2 行「月收入」「一千」不是有效的金额"},
		{"cause", func(r []string) { r[10] = "因穷" }, "第 2 行「困难原因」「因穷」无法识别"},
		{"card", func(r []string) { r[12] = r[12][:15] + string("1234567890"[r[12][15]-'0']) }, "第 2 行「银行卡号」校验未通过"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			row := headRow("张建华", ok(51), union1)
			c.edit(row)
			rows := [][]string{header, row, headRow("王强", ok(53), union1)}
			path := f.xlsx(c.name+".xlsx", rows)
			r, err := f.run(a, path, true)
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Problems) != 1 || !strings.HasPrefix(r.Problems[0].Text, c.want) {
				t.Fatalf("problems %v, want %q", texts(r), c.want)
			}
			if r.Problems[0].Row != 2 || r.RowsRefused != 1 || r.Create != 1 {
				t.Errorf("problem %+v, refused %d, create %d", r.Problems[0], r.RowsRefused, r.Create)
			}
			if strings.Contains(r.Problems[0].Value, "19800101") || (c.name == "card" && strings.Contains(r.Problems[0].Value, "0000000000")) {
				t.Errorf("value shown unmasked: %q", r.Problems[0].Value)
			}
			// A real run of the file with one bad row writes nothing, not even the good household.
			r, err = f.run(a, path, false)
			if apperr.CodeOf(err) != apperr.Validation || r.Written || len(r.Problems) != 1 {
				t.Fatalf("real run: %v %+v", err, r)
			}
			if n := f.count("households"); n != 0 {
				t.Fatalf("%d households written by a refused file", n)
			}
			if n := f.count("audit_events WHERE action LIKE 'household.%' OR action LIKE 'import.%'"); n != 0 {
				t.Fatalf("%d audit events written by a refused file", n)
			}
		})
	}
}

func TestImport_RefusesDuplicatesInTheFileAndAcrossTheSystem(t *testing.T) {
	f := newFixture(t)
	cw1, cw2 := f.as("caseworker1"), f.as("caseworker2")
	// caseworker2 files 王五 under a union outside caseworker1's scope; 王五's wife is a member there.
	other := testID("330108", "19700101", 71)
	wife := testID("330108", "19720202", 82)
	if _, err := f.run(cw2, f.xlsx("other.xlsx", [][]string{header, headRow("王五", other, foreignUnion),
		memberRow("刘芳", wife, other, "配偶")}), false); err != nil {
		t.Fatal(err)
	}
	h1 := testID("330108", "19800101", 91)
	rows := [][]string{header,
		headRow("张建华", h1, union1),
		memberRow("张小明", testID("330108", "20100606", 31), h1, "子女"),
		headRow("李四", testID("330108", "20100606", 31), union1), // the same person twice in the file
		headRow("王五", other, union1),                            // head of another scope's file
		headRow("孙七", testID("330108", "19850505", 95), union1),
		memberRow("刘芳", wife, "", "配偶"), // member of another file: attached to the head above
	}
	r, err := f.run(cw1, f.xlsx("dup.xlsx", rows), true)
	if err != nil {
		t.Fatal(err)
	}
	got := texts(r)
	want := []string{"第 4 行「身份证号」与第 3 行身份证号重复", "第 5 行「身份证号」身份证号 330108********", "第 7 行「身份证号」身份证号 330108********"}
	if len(got) != 3 {
		t.Fatalf("problems %v", got)
	}
	for i, w := range want {
		if !strings.HasPrefix(got[i], w) || (i > 0 && !strings.Contains(got[i], "KN2026")) {
			t.Errorf("problem %d: %q, want %q… naming the other file", i, got[i], w)
		}
	}
	if strings.Contains(strings.Join(got, ""), "王五") {
		t.Errorf("the other file's head is named unmasked: %v", got)
	}
	if r.Create != 1 || r.RowsRefused != 4 {
		t.Errorf("create %d refused %d (孙七's family is refused with its member)", r.Create, r.RowsRefused)
	}
}

func TestImport_CSVInEveryEncodingReadsTheSameAsXLSX(t *testing.T) {
	f := newFixture(t)
	a := f.as("caseworker1")
	rows := sample()
	rows[2][0] = "李秀英𠀀" // a character outside the BMP survives every encoding
	want, err := f.run(a, f.xlsx("s.xlsx", rows), true)
	if err != nil {
		t.Fatal(err)
	}
	for _, enc := range []struct{ name, format string }{{"utf8", FormatUTF8}, {"bom", FormatUTF8}, {"gb18030", FormatGB18030}} {
		got, err := f.run(a, f.csv("s-"+enc.name+".csv", enc.name, rows), true)
		if err != nil {
			t.Fatal(err)
		}
		if got.Format != enc.format || got.Rows != want.Rows || got.Create != want.Create || len(got.Problems) != 0 {
			t.Errorf("%s: %+v", enc.name, got)
		}
		for i := range want.Outcomes {
			w, g := want.Outcomes[i], got.Outcomes[i]
			if w.Name != g.Name || w.IDNumber != g.IDNumber || w.Members != g.Members || w.Category != g.Category {
				t.Errorf("%s outcome %d: %+v, XLSX %+v", enc.name, i, g, w)
			}
		}
	}
	if r, err := f.run(a, f.csv("real.csv", "gb18030", rows), false); err != nil || !r.Written {
		t.Fatal(err, r)
	}
	var name string
	f.db.R.Get(&name, "SELECT name FROM household_members WHERE relation = 'spouse'")
	if name != "李秀英𠀀" {
		t.Errorf("member name %q after GB18030", name)
	}
}

func TestImport_FindsColumnsByHeaderVariantsInAnyOrderAndReportsUnknownOnes(t *testing.T) {
	f := newFixture(t)
	id := testID("330108", "19800101", 11)
	rows := [][]string{
		{"2026年困难职工摸底排查表"},
		{"备注说明", "银行账号", "手机号", "身份证号码", "困难原因", "家庭住址", "姓名", "所属工会", "籍贯"},
		{"", luhn("622202000000001"), "13812345678", id, "因病、因学", "滨江区", "张建华", union1, "浙江"},
	}
	r, err := f.run(f.as("caseworker1"), f.xlsx("v.xlsx", rows), true)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Problems) != 0 || r.Create != 1 {
		t.Fatalf("%v %+v", texts(r), r)
	}
	if !slices.Equal(r.Unknown, []string{"备注说明", "籍贯"}) {
		t.Errorf("unknown %v", r.Unknown)
	}
	// A file without a required column is refused as a whole, naming the column.
	r, err = f.run(f.as("caseworker1"), f.csv("m.csv", "utf8", [][]string{{"姓名", "身份证号"}, {"张建华", id}}), true)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Problems) == 0 || !strings.Contains(r.Problems[0].Text, "文件缺少必需的列") {
		t.Errorf("missing columns: %v", texts(r))
	}
}

func TestImport_ChecksRoleBeforeReadingTheFile(t *testing.T) {
	f := newFixture(t)
	for _, who := range []string{"finance1", "auditor1", "admin"} {
		if _, err := f.run(f.as(who), "/nonexistent", true); apperr.CodeOf(err) != apperr.Forbidden {
			t.Errorf("%s dry run: %v", who, err)
		}
	}
	if _, err := f.run(f.as("supervisor1"), "/nonexistent", false); apperr.CodeOf(err) != apperr.Forbidden {
		t.Errorf("supervisor real run: %v", err)
	}
	if _, err := f.run(f.as("supervisor1"), f.xlsx("s.xlsx", sample()), true); err != nil {
		t.Errorf("supervisor dry run: %v", err)
	}
}

// Imports of the same people at once create each household once: the second sees the first's files inside
// its own write transaction (SPEC §3.3, one open file per ID number).
func TestImport_ConcurrentRunsOfOneFileCreateEachHouseholdOnce(t *testing.T) {
	f := newFixture(t)
	a := f.as("caseworker1")
	path := f.xlsx("survey.xlsx", sample())
	const n = 8
	created := make(chan int, n)
	errs := make(chan error, n)
	for range n {
		go func() {
			r, err := f.run(a, path, false)
			created <- r.Create
			errs <- err
		}()
	}
	total := 0
	for range n {
		total += <-created
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	if total != 3 || f.count("households") != 3 || f.count("household_open_ids") != 6 {
		t.Errorf("created %d in reports, %d households", total, f.count("households"))
	}
}

// A file larger than one batch of the bulk writer (households, members and search terms go to SQLite in
// multi-row statements, the terms sorted) is written whole: every household, member, open ID and search term,
// and an audit chain that verifies.
func TestImport_AFileOfManyBatchesIsWrittenWholeAndSearchable(t *testing.T) {
	f := newFixture(t)
	a := f.as("caseworker1")
	rows := benchSurvey(1400) // 700 households of two, past the writer's batch of 256 households
	r, err := f.run(a, f.csv("big.csv", "utf-8", rows), false)
	if err != nil {
		t.Fatal(err, texts(r)[:min(3, len(r.Problems))])
	}
	if r.Create != 700 || f.count("households") != 700 || f.count("household_members") != 700 ||
		f.count("household_open_ids") != 1400 {
		t.Fatalf("report %+v", r.Summary)
	}
	// Members keep their household, their order and distinct ids; the last household is found by its name.
	if n := f.count("household_members m JOIN households h ON h.id = m.household_id WHERE m.seq = 1"); n != 700 {
		t.Errorf("%d members joined to their household", n)
	}
	last := rows[len(rows)-2]
	page, err := household.List(context.Background(), f.db.R, a, testNow, household.Filter{Q: last[0]})
	if err != nil || page.Total != 1 {
		t.Errorf("search for %s finds %d: %v", last[0], page.Total, err)
	}
	// Its phone and its member's ID number (the terms that carry only the org path) find it too.
	for _, q := range []string{last[5], rows[len(rows)-1][1]} {
		page, err := household.List(context.Background(), f.db.R, a, testNow, household.Filter{Q: q})
		if err != nil || page.Total != 1 || page.Items[0].Name != last[0] {
			t.Errorf("search for %s finds %d: %v", q, page.Total, err)
		}
	}
	h, err := household.Get(context.Background(), f.db.R, a, r.Outcomes[len(r.Outcomes)-1].HouseholdID)
	if err != nil || h.Name != last[0] || len(h.Members) != 1 {
		t.Errorf("last household %+v: %v", h.Fields.Name, err)
	}
	if v, err := audit.Verify(context.Background(), f.db.R); err != nil || !v.OK {
		t.Errorf("audit chain: %+v %v", v, err)
	}
}

// A real run writes each family as it passes; a family refused after hundreds were written rolls them all
// back, and the report names no household that does not exist.
func TestImport_ARowRefusedAfterManyWrittenLeavesNothing(t *testing.T) {
	f := newFixture(t)
	a := f.as("caseworker1")
	rows := benchSurvey(1400)
	rows[len(rows)-2][6] = "不存在的工会" // the last head's union: refused by the database check, not the file's
	r, err := f.run(a, f.csv("big.csv", "utf-8", rows), false)
	if apperr.CodeOf(err) != apperr.Validation || r.Written || r.RowsRefused != 2 || len(r.Problems) != 1 {
		t.Fatalf("run: %v, %+v", err, r.Summary)
	}
	for _, table := range []string{"households", "household_members", "household_open_ids", "household_terms", "audit_events WHERE action LIKE 'household.%' OR action = 'import.run'", "imports"} {
		if n := f.count(table); n != 0 {
			t.Errorf("a refused run left %d rows in %s", n, table)
		}
	}
	for _, o := range r.Outcomes {
		if o.HouseholdID != 0 || o.FileNo != "" {
			t.Fatalf("outcome names a household that was rolled back: %+v", o)
		}
	}
}
