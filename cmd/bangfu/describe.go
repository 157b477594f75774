package main

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"bangfu/internal/apperr"
)

// describe renders an application error with its field messages for the terminal: the Chinese message
// alone, without the code ("not_found: …") that Error() puts first for logs.
func describe(err error) error {
	var e *apperr.Error
	if !errors.As(err, &e) || e.Code == apperr.Internal {
		return err
	}
	if len(e.Fields) == 0 {
		return errors.New(e.Message)
	}
	keys := make([]string, 0, len(e.Fields))
	for k := range e.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + ": " + e.Fields[k]
	}
	return fmt.Errorf("%s（%s）", e.Message, strings.Join(parts, "；"))
}
