package main

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"bangfu/internal/apperr"
)

// describe renders an application error with its field messages for the terminal.
func describe(err error) error {
	var e *apperr.Error
	if !errors.As(err, &e) || len(e.Fields) == 0 {
		return err
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
