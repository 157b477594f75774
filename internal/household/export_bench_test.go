package household

import (
	"testing"

	"bangfu/internal/store"
)

// BigTable is the cached database of benchRows generated households (bigTable), for the benchmarks in this
// directory's external test package that read households through another area (the dashboard of the report
// area, which imports this package and so cannot be imported by its internal tests).
func BigTable(b *testing.B) *store.DB { return bigTable(b) }

// BenchRows is benchRows: how many households BigTable holds.
func BenchRows() int { return benchRows() }
