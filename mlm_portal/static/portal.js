// Expand the downline tree in place; without JavaScript the links open
// the node's page.
document.addEventListener('toggle', function (event) {
  var details = event.target;
  if (!details.matches || !details.matches('details[data-children]')
      || !details.open || details.dataset.loaded) {
    return;
  }
  details.dataset.loaded = '1';
  fetch(details.dataset.children, {credentials: 'same-origin'})
    .then(function (response) {
      if (!response.ok) { throw new Error(response.status); }
      return response.text();
    })
    .then(function (html) {
      var loading = details.querySelector('.loading');
      var template = document.createElement('template');
      template.innerHTML = html;
      loading.replaceWith(template.content);
    })
    .catch(function () { details.dataset.loaded = ''; });
}, true);
