package store

// OpenTestStore is openInternal for the external tests of this package.
var OpenTestStore = openInternal
