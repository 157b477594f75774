package web

import (
	_ "embed"
	"net/http"

	"github.com/labstack/echo/v4"
)

// openAPI is the API reference (OpenAPI 3.1), written by hand beside the routes it describes;
// TestOpenAPI_DescribesEveryRoute keeps the two in step.
//
//go:embed openapi.json
var openAPI []byte

func serveOpenAPI(c echo.Context) error {
	return c.Blob(http.StatusOK, "application/json", openAPI)
}
