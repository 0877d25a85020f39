console.log("svcsim");
