package model

// SetReadHook lets the external tests see every key a decoder reads.
func SetReadHook(f func(*Table, string)) { readHook = f }
