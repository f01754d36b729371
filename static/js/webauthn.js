// Passkeys (WebAuthn) on the staff pages. The only script of the staff UI: every page works
// without it, and without it the passkey buttons stay hidden and the page says that this
// browser cannot use passkeys.
//
// Markup (see templates/admin/login.mustache, totp.mustache, webauthn.mustache):
//   <form method="post" action="FINISH-URL"> with hidden inputs csrf and the answer fields,
//     <p data-webauthn-unsupported>…</p>  <p data-webauthn-status role="status"></p>
//     <button type="button" hidden data-webauthn="login|register" data-begin="BEGIN-URL"
//             [data-replace="1"]>…</button>
// A click posts the form's fields (urlencoded, with the CSRF token) to BEGIN-URL, which
// answers {"publicKey": options with base64url ids} or {"error": "…"}; the browser's answer goes
// into the form's hidden fields as base64url and the form is submitted, so the server renders
// the outcome as an ordinary page.
'use strict';
(function () {
  function toBytes(text) {
    const b64 = text.replace(/-/g, '+').replace(/_/g, '/');
    const bin = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out.buffer;
  }

  function toText(buffer) {
    if (!buffer) return '';
    const bytes = new Uint8Array(buffer);
    let bin = '';
    for (let i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i]);
    return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }

  function withIds(list) {
    return (list || []).map(function (c) { return Object.assign({}, c, { id: toBytes(c.id) }); });
  }

  function creationOptions(o) {
    const user = Object.assign({}, o.user, { id: toBytes(o.user.id) });
    return Object.assign({}, o, { challenge: toBytes(o.challenge), user: user,
                                  excludeCredentials: withIds(o.excludeCredentials) });
  }

  function requestOptions(o) {
    const out = Object.assign({}, o, { challenge: toBytes(o.challenge) });
    if (o.allowCredentials) out.allowCredentials = withIds(o.allowCredentials);
    return out;
  }

  // What the person reads when the browser or the authenticator says no.
  function message(err) {
    switch (err && err.name) {
      case 'NotAllowedError': return 'パスキーの操作が取り消されたか、時間切れになりました。もう一度お試しください。';
      case 'InvalidStateError': return 'この認証器にはすでにパスキーが登録されています。';
      case 'SecurityError': return 'このアドレスではパスキーを使えません。管理者に連絡してください。';
      case 'NotSupportedError': return 'この認証器は対応していません。';
      default: return 'パスキーの操作に失敗しました。ページを読み込み直して、もう一度お試しください。';
    }
  }

  function setField(form, name, value) {
    const input = form.querySelector('input[name="' + name + '"]');
    if (input) input.value = value;
  }

  async function run(button) {
    const form = button.form;
    const status = form.querySelector('[data-webauthn-status]');
    const say = function (text) { if (status) status.textContent = text; };
    setField(form, 'replace', button.dataset.replace === '1' ? '1' : '0');
    button.disabled = true;
    try {
      say('認証器の準備をしています…');
      const fields = new URLSearchParams();
      for (const [k, v] of new FormData(form)) if (typeof v === 'string') fields.append(k, v);
      const res = await fetch(button.dataset.begin, {
        method: 'POST', body: fields, credentials: 'same-origin',
        headers: { 'Accept': 'application/json' }
      });
      let data = null;
      try { data = await res.json(); } catch (e) { data = null; }
      if (!res.ok || !data || !data.publicKey) {
        say((data && data.error) || 'サーバーに接続できませんでした。もう一度お試しください。');
        return;
      }
      say('認証器の指示に従ってください（指紋・顔認証・PIN など）。');
      if (button.dataset.webauthn === 'register') {
        const cred = await navigator.credentials.create({ publicKey: creationOptions(data.publicKey) });
        setField(form, 'client_data', toText(cred.response.clientDataJSON));
        setField(form, 'attestation', toText(cred.response.attestationObject));
      } else {
        const cred = await navigator.credentials.get({ publicKey: requestOptions(data.publicKey) });
        setField(form, 'credential_id', toText(cred.rawId));
        setField(form, 'client_data', toText(cred.response.clientDataJSON));
        setField(form, 'authenticator_data', toText(cred.response.authenticatorData));
        setField(form, 'signature', toText(cred.response.signature));
        setField(form, 'user_handle', toText(cred.response.userHandle));
      }
      say('確認しています…');
      form.submit();
    } catch (err) {
      say(message(err));
    } finally {
      button.disabled = false;
    }
  }

  function init() {
    if (!window.PublicKeyCredential || !navigator.credentials || !window.fetch) return;
    const buttons = document.querySelectorAll('button[data-webauthn]');
    buttons.forEach(function (button) {
      button.hidden = false;
      button.addEventListener('click', function () { run(button); });
      const note = button.form && button.form.querySelector('[data-webauthn-unsupported]');
      if (note) note.hidden = true;
    });
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
