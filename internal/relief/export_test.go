package relief

// SnapshotJSON is Snapshot.appendJSON for the external tests.
func SnapshotJSON(s Snapshot) ([]byte, error) { return s.appendJSON(nil) }
