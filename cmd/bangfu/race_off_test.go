//go:build !race

package main

// raceDetector says the tests run under -race (make test), where every step is several times slower.
const raceDetector = false
