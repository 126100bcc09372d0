package server_test

import (
	"encoding/json"
	"fmt"
	"log"
	"net/http/httptest"
	"strings"

	"github.com/ruralrelief/fangpin/internal/server"
	"github.com/ruralrelief/fangpin/policies"
)

// A server on the bundled policy decides one case posted as JSON.
// fangpin serve does the same behind HTTPServer and Run.
func ExampleNew() {
	set, err := policies.Load()
	if err != nil {
		log.Fatal(err)
	}
	srv, err := server.New(server.Config{Policy: set})
	if err != nil {
		log.Fatal(err)
	}
	req := httptest.NewRequest("POST", "/v1/rules/training-grant/decide", strings.NewReader(
		`{"as_of": "2021-09-01", "脱贫人口": "是", "监测对象": "否", "因灾受损": "是", "证书工种类别": "A类"}`))
	rec := httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, req)
	var d struct {
		Rule string `json:"rule"`
		Pass bool   `json:"pass"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &d); err != nil {
		log.Fatal(err)
	}
	fmt.Println(rec.Code, d.Rule, d.Pass)

	req = httptest.NewRequest("POST", "/v1/rules/training-grant/decide", strings.NewReader(`{"证书工种类别": "D类"}`))
	rec = httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, req)
	fmt.Print(rec.Code, " ", rec.Body.String())
	// Output:
	// 200 training-grant true
	// 422 {"error":{"code":"missing-input","field":"poverty_relieved","message":"poverty_relieved (脱贫人口) is missing"}}
}
