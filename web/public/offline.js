// The offline page (offline.html): back to KamaChat on request, or by itself as soon as the server answers again
// (checked when the browser says it is back online, and every few seconds meanwhile).
var timer;
function later() {
  clearTimeout(timer);
  timer = setTimeout(tryAgain, 5000);
}
function tryAgain() {
  fetch('/healthz', { cache: 'no-store' }).then(function (response) {
    if (response.ok) location.reload();
    else later();
  }, later);
}
document.getElementById('retry').addEventListener('click', function () {
  location.reload();
});
window.addEventListener('online', tryAgain);
later();
