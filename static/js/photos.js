/* A photo made smaller on the phone before it is sent: a camera's 10 MB picture takes minutes
   on a weak signal, and the server keeps at most 1,600 px anyway (it shrinks and checks every
   photo itself too). carenetShrinkPhoto(file) resolves to a JPEG of at most 1,600 px, or to
   the file itself when it is small already, is no image or cannot be read here (then marked
   `carenetUnreadable`). */
window.carenetShrinkPhoto = function (file) {
  "use strict";
  if (!window.createImageBitmap || !/^image\//.test(file.type)) return Promise.resolve(file);
  return createImageBitmap(file, { imageOrientation: "from-image" }).then(function (bitmap) {
    var scale = Math.min(1, 1600 / Math.max(bitmap.width, bitmap.height));
    if (scale === 1 && file.size < 1500000) return file;
    var canvas = document.createElement("canvas");
    canvas.width = Math.round(bitmap.width * scale);
    canvas.height = Math.round(bitmap.height * scale);
    canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    return new Promise(function (resolve) {
      canvas.toBlob(function (blob) {
        if (!blob || blob.size >= file.size) return resolve(file);
        resolve(new File([blob], file.name.replace(/\.[^.]*$/, "") + ".jpg", { type: "image/jpeg" }));
      }, "image/jpeg", 0.82);
    });
  }).catch(function () {
    file.carenetUnreadable = true;  // no picture this browser can read: a form may refuse it
    return file;
  });
};
