// Package bangfu holds the files embedded into the binary: the schema and the web UI.
package bangfu

import (
	"embed"
	"io/fs"
)

//go:embed schema.sql
var Schema string

//go:embed all:static
var static embed.FS

// Static returns the UI files, rooted at the static/ folder.
func Static() fs.FS {
	sub, err := fs.Sub(static, "static")
	if err != nil {
		panic(err) // static/ is embedded at build time; a missing folder is a build error
	}
	return sub
}
