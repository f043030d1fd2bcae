// GraphiQL on the hub's own endpoint; set the Authorization header in the Headers tab.
(function () {
  "use strict";
  var fetcher = GraphiQL.createFetcher({ url: window.location.pathname });
  var root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: false,
      // Empty until the user pastes "Bearer <token>": a placeholder would be sent as a
      // credential, and credentials that are not valid are refused (401).
      defaultHeaders: '{"Authorization": ""}',
    })
  );
})();
