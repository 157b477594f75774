package e2e

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"bangfu/internal/demo"
	"bangfu/internal/web/webtest"
)

// drawnChart is what the page holds for one chart: the series ECharts was given, whether its canvas has
// anything painted on it, and the numbers of its data table.
type drawnChart struct {
	ID      string      `json:"id"`
	Painted bool        `json:"painted"`
	Series  [][]float64 `json:"series"`
	Table   [][]float64 `json:"table"` // per row, the values of the series columns
}

// readCharts asks ECharts for every chart's option and reads each canvas's pixels and each data table.
const readCharts = `(() => [...document.querySelectorAll('[data-chart]')].map((fig) => {
  const area = fig.querySelector('.chart-area');
  const inst = area && window.echarts && echarts.getInstanceByDom(area);
  const canvas = area && area.querySelector('canvas');
  let painted = false;
  if (canvas && canvas.width && canvas.height) {
    const px = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    for (let i = 3; i < px.length; i += 4) if (px[i] !== 0) { painted = true; break; }
  }
  const series = inst ? inst.getOption().series.map((s) => s.data.map((d) => (typeof d === 'object' && d !== null ? d.value : d))) : [];
  const table = [...fig.querySelectorAll('tbody tr')].map((tr) => [...tr.querySelectorAll('td[data-value]')].map((td) => Number(td.dataset.value)));
  return { id: fig.dataset.chart, painted, series, table };
}))()`

// TestBrowser_DashboardDrawsEveryChartAndItsTableAgreesWithTheAPI: a district supervisor's home page draws
// every chart of SPEC §8.1 on a canvas; each chart's series and data table are the API's numbers.
func TestBrowser_DashboardDrawsEveryChartAndItsTableAgreesWithTheAPI(t *testing.T) {
	b := startOn(t, webtest.NewDemo)
	b.login("supervisor2", demo.Password)
	b.waitText("#dashboard-queues", "待审批申请")

	var charts []drawnChart
	deadline := time.Now().Add(20 * time.Second)
	for {
		var err error
		if charts, err = chromedp.Run(b.ctx, chromedp.Evaluate[[]drawnChart](readCharts)); err != nil {
			t.Fatal(err)
		}
		painted := len(charts) >= 7
		for _, c := range charts {
			painted = painted && c.Painted
		}
		if painted || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}

	var api struct {
		Households struct {
			ByStatus   []struct{ N float64 } `json:"by_status"`
			ByCategory []struct{ N float64 } `json:"by_category"`
		} `json:"households"`
		Applications struct {
			ByType   []struct{ Green, Normal float64 } `json:"by_type"`
			ByStatus []struct{ Green, Normal float64 } `json:"by_status"`
		} `json:"applications"`
		Money struct {
			Funds  []flows `json:"funds"`
			Lines  []flows `json:"budget_lines"`
			Months []struct {
				ReceivedFen float64 `json:"received_fen"`
				PaidFen     float64 `json:"paid_fen"`
			} `json:"months"`
		} `json:"money"`
		Campaigns []struct {
			Planned float64 `json:"unions_planned"`
			Reached float64 `json:"unions_reached"`
		} `json:"campaigns"`
		Waiting []struct {
			Key string
			N   int
		} `json:"waiting"`
	}
	raw := b.srv.Login("supervisor2").Must(http.StatusOK, "GET", "/api/v1/reports/dashboard", nil).Body
	if err := json.Unmarshal(raw, &api); err != nil {
		t.Fatal(err)
	}
	want := map[string][][]float64{}
	col := func(n int, f func(i int) []float64) [][]float64 {
		var out [][]float64
		for i := range n {
			v := f(i)
			for k := range v {
				if len(out) <= k {
					out = append(out, nil)
				}
				out[k] = append(out[k], v[k])
			}
		}
		return out
	}
	hh, ap, m := api.Households, api.Applications, api.Money
	want["chart-household-status"] = col(len(hh.ByStatus), func(i int) []float64 { return []float64{hh.ByStatus[i].N} })
	want["chart-household-category"] = col(len(hh.ByCategory), func(i int) []float64 { return []float64{hh.ByCategory[i].N} })
	want["chart-application-type"] = col(len(ap.ByType), func(i int) []float64 { return []float64{ap.ByType[i].Green, ap.ByType[i].Normal} })
	want["chart-application-status"] = col(len(ap.ByStatus), func(i int) []float64 { return []float64{ap.ByStatus[i].Green, ap.ByStatus[i].Normal} })
	yuan := func(f float64) float64 { return math.Round(f) / 100 }
	want["chart-money-fund"] = col(len(m.Funds), func(i int) []float64 {
		return []float64{yuan(m.Funds[i].PaidFen), yuan(m.Funds[i].ReservedFen), yuan(m.Funds[i].AvailableFen)}
	})
	want["chart-money-line"] = col(len(m.Lines), func(i int) []float64 {
		return []float64{yuan(m.Lines[i].PaidFen), yuan(m.Lines[i].ReservedFen), yuan(m.Lines[i].AvailableFen)}
	})
	want["chart-money-month"] = col(len(m.Months), func(i int) []float64 { return []float64{yuan(m.Months[i].ReceivedFen), yuan(m.Months[i].PaidFen)} })
	if cs := api.Campaigns; len(cs) > 0 {
		want["chart-campaigns"] = col(len(cs), func(i int) []float64 { return []float64{cs[i].Planned, cs[i].Reached} })
	}

	if len(charts) != len(want) {
		t.Fatalf("the dashboard has %d charts, want %d: %+v", len(charts), len(want), charts)
	}
	for _, c := range charts {
		w, ok := want[c.ID]
		if !ok {
			t.Errorf("chart %s is not one the test knows", c.ID)
			continue
		}
		if !c.Painted {
			t.Errorf("chart %s: its canvas is blank", c.ID)
		}
		if len(w) == 0 || len(w[0]) == 0 {
			t.Errorf("chart %s: the demo gives it no data", c.ID)
		}
		if fmt.Sprint(c.Series) != fmt.Sprint(w) {
			t.Errorf("chart %s: ECharts series %v, the API says %v", c.ID, c.Series, w)
		}
		// The table has a row per category and a column per series: its transpose is the series.
		var table [][]float64
		for i, row := range c.Table {
			for k, v := range row {
				if len(table) <= k {
					table = append(table, make([]float64, len(c.Table)))
				}
				table[k][i] = v
			}
		}
		if fmt.Sprint(table) != fmt.Sprint(w) {
			t.Errorf("chart %s: data table %v, the API says %v", c.ID, table, w)
		}
	}
	// The approval queue's count is the queue's own total.
	for _, q := range api.Waiting {
		if q.Key == "approval" {
			b.waitText("#queue-approval .queue-count", fmt.Sprint(q.N))
		}
	}
}

// flows are a fund's or budget line's money on the dashboard.
type flows struct {
	PaidFen      float64 `json:"paid_fen"`
	ReservedFen  float64 `json:"reserved_fen"`
	AvailableFen float64 `json:"available_fen"`
}

// TestBrowser_AnnualFiguresPrintAndExport: the year-end page shows the API's figures, prints without the
// navigation, and offers the Excel export of the same year; an admin's home shows no case data.
func TestBrowser_AnnualFiguresPrintAndExport(t *testing.T) {
	b := startOn(t, webtest.NewDemo)
	b.login("auditor1", demo.Password)
	b.waitText("#dashboard-queues", "待事后复核")
	b.open("#/reports/annual?year=2026")
	b.waitText("#annual-aid", "合计")
	var r struct {
		Surveyed  int   `json:"surveyed"`
		AmountFen int64 `json:"amount_fen"`
	}
	b.srv.Login("auditor1").Must(http.StatusOK, "GET", "/api/v1/reports/annual?year=2026", nil).Decode(&r)
	b.waitText("#annual-households tbody tr:last-child", fmt.Sprint(r.Surveyed))
	b.waitText("#annual-aid tbody tr:last-child", yuanText(r.AmountFen))
	eval := func(js string) bool {
		t.Helper()
		v, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](js))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	href, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.querySelector('#annual-export').getAttribute('href')`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(b.ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
		t.Fatal(err)
	}
	navHidden := eval(`getComputedStyle(document.querySelector('#nav')).display === 'none'`)
	headShown := eval(`getComputedStyle(document.querySelector('.annual-head')).display !== 'none'`)
	if !navHidden || !headShown {
		t.Errorf("printed: navigation hidden %v, union name and date shown %v; want both", navHidden, headShown)
	}
	pdf, err := chromedp.Call(b.ctx, page.PrintToPDF, page.PrintToPDFParams{PaperWidth: 8.27, PaperHeight: 11.69})
	if err != nil {
		t.Fatal(err)
	}
	if len(pdf.Data) < 1000 {
		t.Errorf("the page printed to %d bytes of PDF", len(pdf.Data))
	}
	if href != "/api/v1/reports/annual?year=2026&format=xlsx" {
		t.Errorf("export link = %q", href)
	}
	res := b.srv.Login("auditor1").Must(http.StatusOK, "GET", href, nil)
	if res.Header.Get("Content-Type") != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
		t.Errorf("export content type %q", res.Header.Get("Content-Type"))
	}
}

// TestBrowser_AdminsHomeShowsTheSystemNotCases: admin reads no case data; their home is the system summary.
func TestBrowser_AdminsHomeShowsTheSystemNotCases(t *testing.T) {
	b := start(t)
	b.login("admin", demo.Password)
	b.waitText("#admin-summary", "用户数")
	charts, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](`document.querySelectorAll('[data-chart]').length`))
	if err != nil {
		t.Fatal(err)
	}
	if charts != 0 {
		t.Errorf("the admin's home shows %d charts of case data", charts)
	}
}

// yuanText is formatFen's text for fen: ¥1,234.50.
func yuanText(fen int64) string {
	s := fmt.Sprintf("%d.%02d", fen/100, fen%100)
	intPart, dec := s[:len(s)-3], s[len(s)-3:]
	out := ""
	for i, r := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			out += ","
		}
		out += string(r)
	}
	return "¥" + out + dec
}
