package app_test

import "os"

func redisTest() bool { return os.Getenv("CIVICDESK_TEST_REDIS_ADDR") != "" }
