// Passkeys (WebAuthn). A form with data-passkey="create" or "get" carries the server's options as JSON; on submit
// the browser's authenticator answers them and the form posts the answer (the server verifies it). No framework.
"use strict";
document.querySelectorAll("form[data-passkey]").forEach((form) => {
  form.addEventListener("submit", async (event) => {
    const answer = form.querySelector("input[name=passkey_response]");
    if (answer.value) return;
    event.preventDefault();
    const status = form.querySelector("[role=status]");
    try {
      const options = JSON.parse(form.dataset.passkeyOptions);
      const credential = form.dataset.passkey === "create"
        ? await navigator.credentials.create({publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(options)})
        : await navigator.credentials.get({publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(options)});
      answer.value = JSON.stringify(credential.toJSON());
      form.submit();
    } catch (error) {
      status.textContent = "The passkey was not used (" + error.name + "). Try again.";
    }
  });
});
